"""Synthetic data for the induction-head testbed: bigram sequences with trigger tokens.

A vocabulary of ``n_tokens`` tokens gets a Zipf unigram ``pi_u`` (over a
randomly permuted vocabulary, so token ids carry no frequency order) and
bigram rows ``pi_b(.|z)`` drawn from a Dirichlet distribution centred on the
unigram.  Each sequence has ``K`` trigger tokens ``q_k`` with outputs ``o_k``
drawn afresh per sequence; a trigger is always followed by its output,
every other token by a bigram draw.  The token after the second or later
occurrence of a trigger can only be predicted from the context (an induction
head): those are the *in-context* positions.  Everything comes from a seed; no
text statistics are shipped.  See the documentation page *The induction-head
testbed* (docs/theory/induction.rst).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skillgraph._rng import as_generator, as_seed_sequence, child_seed
from skillgraph._validation import check_choice, check_int, check_real

__all__ = [
    "MAX_TOKEN_ZIPF",
    "TRIGGER_MODES",
    "OUTPUT_MODES",
    "TokenStatistics",
    "token_statistics",
    "InductionBatch",
    "InductionTask",
    "in_context_mask",
    "induction_task",
]


#: the largest Zipf exponent of the token unigram (the bigram rows are Dirichlet draws
#: around it): at 10 the second token already weighs 2**-10 of the first
MAX_TOKEN_ZIPF = 10.0


#: how the triggers of a sequence are chosen: the K most frequent tokens, or K distinct
#: tokens drawn from the unigram afresh for every sequence
TRIGGER_MODES = ("fixed", "random")


#: how a trigger's output is drawn: uniform over the output tokens, uniform over the
#: output tokens that are not triggers of the sequence, or from the trigger's bigram row
OUTPUT_MODES = ("uniform", "non_trigger", "bigram")


@dataclass(frozen=True, repr=False)
class TokenStatistics:
    """Unigram and bigram statistics of a synthetic vocabulary.

    Attributes
    ----------
    unigram : numpy.ndarray
        ``(n_tokens,)`` probabilities ``pi_u``.
    bigram : numpy.ndarray
        ``(n_tokens, n_tokens)`` row-stochastic matrix, ``bigram[z, y] = pi_b(y | z)``.
    zipf_exponent, concentration : float
        The parameters they were drawn with.
    """

    unigram: np.ndarray
    bigram: np.ndarray
    zipf_exponent: float
    concentration: float

    @property
    def n_tokens(self) -> int:
        """Size of the vocabulary."""
        return self.unigram.shape[0]

    def row_entropy(self) -> np.ndarray:
        """Entropy (nats) of every bigram row: the least expected loss after each token."""
        p = self.bigram
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(p > 0, p * np.log(p), 0.0)
        return -terms.sum(axis=1)

    def __repr__(self) -> str:
        return (
            f"TokenStatistics(n_tokens={self.n_tokens}, zipf_exponent={self.zipf_exponent:g}, "
            f"concentration={self.concentration:g}, "
            f"mean_row_entropy={float(self.unigram @ self.row_entropy()):.3f})"
        )


def token_statistics(
    n_tokens: int = 65,
    *,
    zipf_exponent: float = 1.1,
    concentration: float | None = None,
    seed=None,
) -> TokenStatistics:
    """Draw unigram and bigram statistics for a vocabulary of ``n_tokens`` tokens.

    Parameters
    ----------
    n_tokens : int
        Vocabulary size, at least 2.
    zipf_exponent : float
        Exponent ``a`` of the unigram: the token of frequency rank ``r`` (from 1)
        has probability proportional to ``r ** -a``; ranks are assigned to
        token ids by a random permutation.  In ``[0, 10]``.
    concentration : float, optional
        Concentration ``c`` of the bigram rows, ``pi_b(.|z) ~ Dirichlet(c * pi_u)``.
        Larger values give rows closer to the unigram (higher entropy).
        Default ``n_tokens``.  Positive.
    seed : int, SeedSequence or Generator, optional
        Randomness for the permutation and the rows.

    Returns
    -------
    TokenStatistics

    Raises
    ------
    ValueError, TypeError
        For a parameter out of range, before any work.

    Examples
    --------
    >>> stats = token_statistics(65, seed=0)
    >>> stats.bigram.shape, bool(abs(stats.unigram.sum() - 1) < 1e-12)
    ((65, 65), True)
    """
    n_tokens = check_int("n_tokens", n_tokens, 2)
    zipf_exponent = check_real("zipf_exponent", zipf_exponent, 0.0, MAX_TOKEN_ZIPF)
    if concentration is None:
        concentration = float(n_tokens)
    concentration = check_real("concentration", concentration, 0.0, None, open_low=True)
    rng = as_generator(seed)
    weights = np.arange(1, n_tokens + 1, dtype=np.float64) ** -zipf_exponent
    unigram = np.empty(n_tokens)
    unigram[rng.permutation(n_tokens)] = weights / weights.sum()
    # Dirichlet via normalised gammas; a tiny floor keeps every transition possible
    # (a row with an exact zero would make the loss floor infinite for a rare event)
    gammas = rng.standard_gamma(concentration * unigram, size=(n_tokens, n_tokens))
    gammas = np.maximum(gammas, np.finfo(np.float64).tiny)
    bigram = gammas / gammas.sum(axis=1, keepdims=True)
    return TokenStatistics(unigram, bigram, zipf_exponent, concentration)


@dataclass(frozen=True, repr=False)
class InductionBatch:
    """A batch of sequences with their triggers, outputs and position masks.

    Attributes
    ----------
    tokens : numpy.ndarray
        ``(B, T)`` token ids.
    triggers, outputs : numpy.ndarray
        ``(B, K)``: trigger ``k`` of sequence ``b`` is always followed by ``outputs[b, k]``.
    after_trigger : numpy.ndarray
        ``(B, T)`` bool: token ``t`` follows a trigger (so it is that trigger's output).
    in_context : numpy.ndarray
        ``(B, T)`` bool: token ``t`` follows the second or later occurrence of a
        trigger, so it can be predicted by copying from the context.
    """

    tokens: np.ndarray
    triggers: np.ndarray
    outputs: np.ndarray
    after_trigger: np.ndarray
    in_context: np.ndarray

    @property
    def bigram_positions(self) -> np.ndarray:
        """``(B, T)`` bool: tokens ``t >= 1`` drawn from the bigram row of their predecessor."""
        mask = ~self.after_trigger
        mask[:, 0] = False
        return mask

    def __repr__(self) -> str:
        b, t = self.tokens.shape
        return (
            f"InductionBatch(sequences={b}, seq_len={t}, triggers={self.triggers.shape[1]}, "
            f"in_context_positions={int(self.in_context.sum())})"
        )


@dataclass(frozen=True, repr=False)
class InductionTask:
    """The distribution of sequences: statistics, triggers, outputs and held-out tokens.

    Build it with :func:`induction_task`; draw batches with :meth:`sample`.

    Attributes
    ----------
    statistics : TokenStatistics
    seq_len, n_triggers : int
    trigger_mode : {"fixed", "random"}
    output_mode : {"uniform", "non_trigger", "bigram"}
    held_out : numpy.ndarray
        Sorted ids of the tokens never used as triggers or outputs in training;
        ``sample(..., held_out=True)`` draws every output from them (the
        out-of-distribution test).  Empty when no split was asked for.
    """

    statistics: TokenStatistics
    seq_len: int
    n_triggers: int
    trigger_mode: str
    output_mode: str
    held_out: np.ndarray

    @property
    def n_tokens(self) -> int:
        """Size of the vocabulary."""
        return self.statistics.n_tokens

    @property
    def fixed_triggers(self) -> np.ndarray | None:
        """The ``K`` most frequent tokens (``trigger_mode="fixed"``), else ``None``."""
        if self.trigger_mode != "fixed":
            return None
        return np.argsort(-self.statistics.unigram, kind="stable")[: self.n_triggers]

    def __repr__(self) -> str:
        return (
            f"InductionTask(n_tokens={self.n_tokens}, seq_len={self.seq_len}, "
            f"n_triggers={self.n_triggers}, trigger_mode={self.trigger_mode!r}, "
            f"output_mode={self.output_mode!r}, held_out={self.held_out.size} tokens)"
        )

    def sample(self, n_sequences: int, seed=None, *, held_out: bool = False) -> InductionBatch:
        """Draw ``n_sequences`` sequences, vectorised over the batch.

        Parameters
        ----------
        n_sequences : int
            Batch size, at least 1.
        seed : int, SeedSequence or Generator, optional
        held_out : bool
            Draw the outputs from the held-out tokens (out-of-distribution test).

        Returns
        -------
        InductionBatch

        Notes
        -----
        Cost ``O(B T N)``: a loop over the ``T`` positions, each a vectorised
        inverse-CDF draw for the whole batch.
        """
        n_sequences = check_int("n_sequences", n_sequences, 1)
        if held_out and self.held_out.size == 0:
            raise ValueError("held_out=True needs a task built with ood_fraction > 0")
        rng = as_generator(seed)
        triggers = self._draw_triggers(n_sequences, rng)
        outputs = self._draw_outputs(triggers, rng, held_out)
        tokens, after = _draw_sequences(self.statistics, triggers, outputs, self.seq_len, rng)
        return InductionBatch(tokens, triggers, outputs, after, in_context_mask(tokens, triggers))

    def trigger_tokens(self) -> np.ndarray:
        """Sorted ids of the tokens that can be triggers in training."""
        if self.trigger_mode == "fixed":
            return np.sort(self.fixed_triggers)
        return np.flatnonzero(self._eligible())

    def output_tokens(self) -> np.ndarray:
        """Sorted ids of the tokens that can be outputs in training."""
        eligible = self._eligible()
        if self.output_mode == "non_trigger" and self.trigger_mode == "fixed":
            eligible[self.fixed_triggers] = False
        return np.flatnonzero(eligible)

    def _eligible(self) -> np.ndarray:
        """``(N,)`` bool: tokens that may be triggers or outputs in training."""
        mask = np.ones(self.n_tokens, dtype=bool)
        mask[self.held_out] = False
        return mask

    def _draw_triggers(self, n: int, rng: np.random.Generator) -> np.ndarray:
        if self.trigger_mode == "fixed":
            return np.broadcast_to(self.fixed_triggers, (n, self.n_triggers)).copy()
        # K distinct draws from pi_u (restricted to eligible tokens) by the Gumbel top-k
        # trick, which is sequential sampling without replacement, vectorised
        with np.errstate(divide="ignore"):
            logp = np.where(self._eligible(), np.log(self.statistics.unigram), -np.inf)
        keys = logp + rng.gumbel(size=(n, self.n_tokens))
        return np.argsort(-keys, axis=1, kind="stable")[:, : self.n_triggers]

    def _draw_outputs(self, triggers: np.ndarray, rng, held_out: bool) -> np.ndarray:
        n, k = triggers.shape
        allowed = np.zeros(self.n_tokens, dtype=bool)
        if held_out:
            allowed[self.held_out] = True
        else:
            allowed = self._eligible()
        weights = np.broadcast_to(allowed.astype(np.float64), (n, k, self.n_tokens)).copy()
        if self.output_mode == "non_trigger":
            rows = np.arange(n)[:, None, None]
            weights[rows, np.arange(k)[None, :, None], triggers[:, None, :]] = 0.0
        elif self.output_mode == "bigram":
            weights *= self.statistics.bigram[triggers]
        return _inverse_cdf(weights, rng.random(size=(n, k)))


def _inverse_cdf(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    """One index per row of ``weights`` (last axis), with probability proportional to weight.

    ``u`` holds uniforms in ``[0, 1)``; ``1 - u`` lies in ``(0, 1]``, so the first
    index whose normalised cumulative weight reaches it always has positive weight.
    """
    cdf = np.cumsum(weights, axis=-1)
    cdf /= cdf[..., -1:]
    index = (cdf < (1.0 - u)[..., None]).sum(axis=-1)
    return np.minimum(index, weights.shape[-1] - 1)


def _draw_sequences(stats: TokenStatistics, triggers, outputs, seq_len: int, rng):
    """Tokens ``(B, T)`` and the after-trigger mask; trigger successors are forced."""
    n = triggers.shape[0]
    successor = np.full((n, stats.n_tokens), -1, dtype=np.int64)
    successor[np.arange(n)[:, None], triggers] = outputs
    cdf = np.cumsum(stats.bigram, axis=1)
    cdf /= cdf[:, -1:]
    u = 1.0 - rng.random(size=(n, seq_len))  # in (0, 1]
    tokens = np.empty((n, seq_len), dtype=np.int64)
    after = np.zeros((n, seq_len), dtype=bool)
    unigram_cdf = np.cumsum(stats.unigram)
    unigram_cdf /= unigram_cdf[-1]
    tokens[:, 0] = np.minimum((unigram_cdf < u[:, :1]).sum(axis=1), stats.n_tokens - 1)
    rows = np.arange(n)
    for t in range(1, seq_len):
        prev = tokens[:, t - 1]
        forced = successor[rows, prev]
        drawn = np.minimum((cdf[prev] < u[:, t : t + 1]).sum(axis=1), stats.n_tokens - 1)
        after[:, t] = forced >= 0
        tokens[:, t] = np.where(after[:, t], forced, drawn)
    return tokens, after


def in_context_mask(tokens, triggers) -> np.ndarray:
    """Positions that follow the second or later occurrence of a trigger.

    Parameters
    ----------
    tokens : array_like of int, shape (B, T)
    triggers : array_like of int, shape (B, K)
        The triggers of each sequence.

    Returns
    -------
    numpy.ndarray
        ``(B, T)`` bool; entry ``t`` is true when ``tokens[t - 1]`` is a trigger
        that also occurs somewhere in ``tokens[:t - 1]``.

    Examples
    --------
    >>> in_context_mask([[3, 1, 3, 2, 3, 2]], [[3]]).astype(int).tolist()
    [[0, 0, 0, 1, 0, 1]]
    """
    tokens = np.asarray(tokens)
    triggers = np.asarray(triggers)
    is_trigger = (tokens[:, :, None] == triggers[:, None, :]).any(axis=2)
    # seen[b, t]: tokens[b, t] occurs at an earlier position (pairwise, O(B T^2) booleans)
    same = tokens[:, :, None] == tokens[:, None, :]
    seen = np.tril(same, k=-1).any(axis=2)
    mask = np.zeros(tokens.shape, dtype=bool)
    mask[:, 1:] = (is_trigger & seen)[:, :-1]
    return mask


def induction_task(
    n_tokens: int = 65,
    seq_len: int = 128,
    n_triggers: int = 5,
    *,
    trigger_mode: str = "fixed",
    output_mode: str = "uniform",
    ood_fraction: float = 0.0,
    zipf_exponent: float = 1.1,
    concentration: float | None = None,
    seed=None,
) -> InductionTask:
    """Build the sequence distribution of the induction-head testbed.

    Parameters
    ----------
    n_tokens : int
        Vocabulary size ``N``, at least 2.
    seq_len : int
        Sequence length ``T``, at least 2.
    n_triggers : int
        Triggers per sequence ``K``, from 1 to the number of tokens that may be
        triggers (``N`` minus the held-out tokens).
    trigger_mode : {"fixed", "random"}
        ``"fixed"``: the ``K`` most frequent tokens; ``"random"``: ``K``
        distinct tokens drawn from ``pi_u`` for every sequence.
    output_mode : {"uniform", "non_trigger", "bigram"}
        Outputs uniform over the tokens, uniform over the tokens that are not
        triggers of the sequence (no trigger-to-trigger loops), or drawn from the
        trigger's bigram row.
    ood_fraction : float
        Fraction of the tokens held out: never a trigger or an output in
        training, the outputs of the out-of-distribution test.  In ``[0, 1)``;
        the held-out tokens are drawn among the non-fixed-trigger tokens.
    zipf_exponent, concentration : float
        Statistics of the vocabulary, see :func:`token_statistics`.
    seed : int, SeedSequence or Generator, optional

    Returns
    -------
    InductionTask

    Raises
    ------
    ValueError, TypeError
        For a parameter out of range (for instance ``K`` larger than the
        vocabulary), before any work.

    Examples
    --------
    >>> task = induction_task(20, 16, 2, seed=1)
    >>> batch = task.sample(4, seed=2)
    >>> bool((batch.tokens[:, 1:][batch.after_trigger[:, 1:]] >= 0).all())
    True
    """
    n_tokens = check_int("n_tokens", n_tokens, 2)
    seq_len = check_int("seq_len", seq_len, 2)
    n_triggers = check_int("n_triggers", n_triggers, 1)
    trigger_mode = check_choice("trigger_mode", trigger_mode, TRIGGER_MODES)
    output_mode = check_choice("output_mode", output_mode, OUTPUT_MODES)
    ood_fraction = check_real("ood_fraction", ood_fraction, 0.0, 1.0, open_high=True)
    n_held = int(round(ood_fraction * n_tokens))
    _check_vocabulary(n_tokens, n_triggers, n_held, output_mode)
    root = as_seed_sequence(seed)
    stats = token_statistics(
        n_tokens, zipf_exponent=zipf_exponent, concentration=concentration,
        seed=child_seed(root, 0),
    )
    candidates = np.arange(n_tokens)
    if trigger_mode == "fixed":
        fixed = np.argsort(-stats.unigram, kind="stable")[:n_triggers]
        candidates = np.setdiff1d(candidates, fixed)
    held = np.sort(as_generator(child_seed(root, 1)).choice(candidates, n_held, replace=False))
    return InductionTask(stats, seq_len, n_triggers, trigger_mode, output_mode, held)


def _check_vocabulary(n_tokens: int, n_triggers: int, n_held: int, output_mode: str) -> None:
    """Enough tokens for ``K`` triggers, the held-out split and at least one output."""
    if n_triggers > n_tokens:
        raise ValueError(
            f"n_triggers must be <= n_tokens = {n_tokens} (triggers are distinct tokens), "
            f"got {n_triggers}"
        )
    spare = n_tokens - n_triggers
    if n_held > spare:
        raise ValueError(
            f"ood_fraction holds out {n_held} tokens, but only {spare} of the {n_tokens} "
            f"are not triggers (n_triggers = {n_triggers}): lower ood_fraction"
        )
    if output_mode == "non_trigger" and n_held == spare:
        raise ValueError(
            f"output_mode 'non_trigger' needs a token that is neither a trigger nor held out: "
            f"n_tokens = {n_tokens}, n_triggers = {n_triggers}, held out {n_held}"
        )
