"""The configuration of a ``skillgraph superpose`` run."""

from __future__ import annotations

from dataclasses import dataclass

from skillgraph._validation import MAX_SEED, check_int, check_real
from skillgraph.emergence import EmergeConfig
from skillgraph.mechanisms.superposition.measure import check_measure_params, check_readouts
from skillgraph.mechanisms.superposition.prompts import check_lambda
from skillgraph.mechanisms.superposition.readout import OPTION_DEFAULTS, READOUTS

__all__ = ["TOY_LABEL", "DISCLAIMER", "SuperposeConfig"]


#: The label every figure and summary carries.
TOY_LABEL = "toy model"


#: The sentence that says what the run does not show.
DISCLAIMER = (
    "This toy model shows what assumed readouts make of skill-graph competences; "
    "it does not reproduce measurements of real language models."
)


@dataclass(frozen=True)
class SuperposeConfig:
    """Parameters of a ``skillgraph superpose`` run; the defaults are the command's.

    Parameters
    ----------
    compute : (float, float)
        Range of training compute in FLOPs of compute-optimal models (default
        1e18 to 1e28: ``theta`` from about 0.37 to 0.011 under the defaults).
    n_scales : int
        Log-spaced scales (default 11, one per decade).
    law, mapping, theta_ref, c
        Scaling law and loss-to-theta map, as in ``skillgraph emerge``.
    lam : sequence of float
        Task proportions ``lambda`` (default three equal tasks); ``K = len(lam)``.
    n_examples : int
        Examples per prompt (default 60, as in the paper).
    t : int
        Skills per task (default 2).
    k, n_skills, n_texts : int
        The skill graphs (defaults 8, 1000, 100 000).
    failure : str
        Failure model (default ``"random"``; see
        :func:`skillgraph.mechanisms.superposition.task_competences`).
    replicates : int
        Independent graphs and task sets (default 5).
    n_prompts : int
        Prompts per graph and scale (default 2000); the same prompts at every
        scale and for every readout (common random numbers).
    readouts : sequence of str
        Readouts scored (default all three).
    smoothing, tau, noise, n_distractors, zipf_exponent, eps
        Readout and metric options (:func:`skillgraph.mechanisms.superposition.superpose`).
    n_curves : int
        Scales at which the sorted-probability curves are drawn (default 3:
        the smallest, the middle and the largest).
    seed : int
        Root seed; graph ``r`` uses child ``(r, 0)``, its failure sets ``(r, 1)``
        at every scale, its prompts ``(r, 2)``.
    """
    compute: tuple[float, float] = (1e18, 1e28)
    n_scales: int = 11
    law: str = "chinchilla"
    mapping: str = "anchored"
    theta_ref: float = 0.05
    c: float = 1.0
    lam: tuple[float, ...] = (1 / 3, 1 / 3, 1 / 3)
    n_examples: int = 60
    t: int = 2
    k: int = 8
    n_skills: int = 1000
    n_texts: int = 100_000
    failure: str = "random"
    replicates: int = 5
    n_prompts: int = 2000
    readouts: tuple[str, ...] = READOUTS
    smoothing: float = OPTION_DEFAULTS["smoothing"]
    tau: float = OPTION_DEFAULTS["tau"]
    noise: float = OPTION_DEFAULTS["noise"]
    n_distractors: int = OPTION_DEFAULTS["n_distractors"]
    zipf_exponent: float = OPTION_DEFAULTS["zipf_exponent"]
    eps: float = OPTION_DEFAULTS["eps"]
    n_curves: int = 3
    seed: int = 0

    def __post_init__(self):
        # every parameter is checked here, before any work (the measure checks are reused)
        set_ = object.__setattr__
        lam = check_lambda(self.lam)
        set_(self, "lam", tuple(float(x) for x in lam))
        # c is checked under its own name: the scale configuration calls it cloze_factor
        set_(self, "c", check_real("c", self.c, 0.0, None, open_low=True))
        self.scale_config()  # validates compute, law, mapping, theta_ref
        set_(self, "n_scales", check_int("n_scales", self.n_scales, 2, 1000))
        set_(self, "replicates", check_int("replicates", self.replicates, 1, 10_000))
        set_(self, "n_curves", check_int("n_curves", self.n_curves, 1, self.n_scales))
        set_(self, "seed", check_int("seed", self.seed, 0, MAX_SEED - 1))
        set_(self, "readouts", check_readouts(self.readouts))
        check_measure_params(self.measure_params(theta=0.0))

    @property
    def n_tasks(self) -> int:
        """``K``."""
        return len(self.lam)

    def scale_config(self):
        """The ``emerge`` configuration whose scale grid this run uses."""
        return EmergeConfig(
            compute=self.compute,
            law=self.law,
            mapping=self.mapping,
            theta_ref=self.theta_ref,
            cloze_factor=self.c,
        )

    def measure_params(self, theta: float) -> dict:
        """The parameters of :func:`skillgraph.mechanisms.superposition.measure` at ``theta``."""
        names = ("n_skills", "n_texts", "k", "t", "failure", "n_examples", "n_prompts")
        params = {name: getattr(self, name) for name in names}
        params.update({name: getattr(self, name) for name in OPTION_DEFAULTS})
        return {**params, "theta": theta, "lam": self.lam, "readouts": self.readouts}
