"""Skill graphs: the random bipartite text–skill graph (:doc:`/theory/graph`).

A :class:`SkillGraph` holds ``n_skills`` skill nodes with a probability
measure ``mu1`` and ``n_texts`` text pieces; text piece ``i`` uses the skills
``text_indices[text_indptr[i]:text_indptr[i + 1]]`` (a multiset: an edge may
repeat, as when a text draws the same skill twice with replacement).
:func:`~skillgraph.core.sampling.sample_graph` draws the paper's model, each text piece taking ``k``
skills i.i.d. from ``mu1``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from skillgraph._jit import kernels
from skillgraph._resources import check_memory
from skillgraph._skill_measure import NAMED_MEASURES, checked_measure, measure_probs
from skillgraph._validation import MAX_K, MAX_SKILLS, MAX_TEXTS, check_int

__all__ = ["SkillGraph", "GraphShape", "skill_measure_array", "MAX_SKILLS", "SKILL_MEASURES"]

#: the named skill measures (``skill_measure_array`` also takes an array of weights)
SKILL_MEASURES = NAMED_MEASURES

# below this many edge slots the degrees and the skill-side CSR are computed serially with
# numpy (same numbers): waking numba's thread pool costs more than the work, up to tens of
# ms when the other cores are busy (every hypothesis example paid it)
_PARALLEL_FROM = 1 << 20


def skill_measure_array(n_skills: int, skill_measure="uniform", zipf_exponent: float = 1.0):
    """The skill measure ``mu1`` as a validated float64 array summing to 1.

    See :ref:`theory-graph-model`.

    Parameters
    ----------
    n_skills : int
        Number of skills, >= 1.
    skill_measure : {"uniform", "zipf"} or array_like
        ``"uniform"``; ``"zipf"`` for ``mu1(s) ∝ (s + 1) ** -zipf_exponent``; or
        non-negative weights of length ``n_skills`` (normalised here; the sum must
        be positive and finite).
    zipf_exponent : float
        Exponent of the Zipf measure, in [0, 50] (0 is uniform); checked
        whatever the measure.
    """
    n_skills = check_int("n_skills", n_skills, 1, MAX_SKILLS)
    return measure_probs(n_skills, *checked_measure(n_skills, skill_measure, zipf_exponent))


@dataclass(frozen=True, eq=False)
class GraphShape:
    """The checked parameters of a random skill graph, made by :meth:`GraphShape.check`.

    The public samplers (:func:`~skillgraph.core.sampling.sample_graph`,
    :func:`skillgraph.stream`, :func:`~skillgraph.core.streaming.stream_plan`)
    validate their arguments once, into one of these, and their
    implementations trust it.

    Attributes
    ----------
    n_skills, n_texts, k : int
        Within the limits ``MAX_SKILLS``, ``MAX_TEXTS`` and ``MAX_K`` of
        ``skillgraph._validation`` (their one home; a private module, so not in this reference).
    skill_measure : str or ndarray
        ``"uniform"``, ``"zipf"`` or the normalised weights (read-only).
    zipf_exponent : float
        In ``[0, MAX_ZIPF_EXPONENT]`` whatever the measure; only the Zipf
        measure uses it.
    """

    n_skills: int
    n_texts: int
    k: int
    skill_measure: str | np.ndarray
    zipf_exponent: float

    @classmethod
    def check(
        cls, n_skills, n_texts, k, skill_measure="uniform", zipf_exponent=1.0
    ) -> GraphShape:
        """Validate the parameters (``TypeError``/``ValueError`` naming the first bad one)."""
        n_skills = check_int("n_skills", n_skills, 1, MAX_SKILLS)
        n_texts = check_int("n_texts", n_texts, 1, MAX_TEXTS)
        k = check_int("k", k, 1, MAX_K)
        return cls(n_skills, n_texts, k, *checked_measure(n_skills, skill_measure, zipf_exponent))

    def probs(self) -> np.ndarray:
        """``mu1`` as a fresh float64 array summing to 1 (as :func:`skill_measure_array`)."""
        return measure_probs(self.n_skills, self.skill_measure, self.zipf_exponent)


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class SkillGraph:
    """An immutable text–skill bipartite graph (:ref:`theory-graph-model`).

    Build one with :func:`skillgraph.core.sampling.sample_graph`, :meth:`from_text_skills`,
    :meth:`from_edges` or :meth:`from_networkx`, not with the constructor.

    Attributes
    ----------
    text_indptr : ndarray of int64, shape (n_texts + 1,)
        Text-side CSR row pointers.
    text_indices : ndarray of int32, shape (n_edges,)
        Skill id of every edge slot, text by text (a multiset per text).
    n_skills : int
        Number of skill nodes, including skills no text uses.
    skill_measure : ndarray of float64, shape (n_skills,)
        The measure ``mu1`` on skills (sums to 1).
    skill_names, text_names : tuple or None
        The user's names of skill ``s`` and text ``i`` (``skill_names[s]``), as
        kept by :meth:`from_networkx` and :meth:`with_names`; ``None``: the
        positions are the names.
    """

    text_indptr: np.ndarray
    text_indices: np.ndarray
    n_skills: int
    skill_measure: np.ndarray
    skill_names: tuple | None = field(default=None, repr=False)
    text_names: tuple | None = field(default=None, repr=False)

    # ---- derived quantities -------------------------------------------------
    @property
    def n_texts(self) -> int:
        """Number of text pieces."""
        return int(self.text_indptr.shape[0] - 1)

    @property
    def n_edges(self) -> int:
        """Number of edge slots (``k * n_texts`` for a regular graph)."""
        return int(self.text_indices.shape[0])

    @cached_property
    def text_degrees(self) -> np.ndarray:
        """Number of skill slots of each text piece (int64, ``(n_texts,)``)."""
        return _frozen(np.diff(self.text_indptr))

    @cached_property
    def k(self) -> int | None:
        """Skills per text piece when every text has the same number, else ``None``."""
        if self.n_texts == 0:
            return None
        degrees = self.text_degrees
        first = int(degrees[0])
        return first if bool(np.all(degrees == first)) else None

    @property
    def is_regular(self) -> bool:
        """True when every text piece has the same number ``k`` of skill slots."""
        return self.k is not None

    @property
    def text_skills(self) -> np.ndarray:
        """The ``(n_texts, k)`` int32 array of skills (read-only view).

        Raises
        ------
        ValueError
            If text pieces have different numbers of skills (use the CSR arrays).
        """
        if self.k is None:
            raise ValueError(
                "text_skills needs every text piece to have the same number of skills; this "
                "graph is ragged: use text_indptr / text_indices"
            )
        return self.text_indices.reshape(self.n_texts, self.k)

    @cached_property
    def degrees(self) -> np.ndarray:
        """Skill degrees: how many edge slots hit each skill (int64, ``(n_skills,)``)."""
        if self.text_indices.size < _PARALLEL_FROM:
            counts = np.bincount(self.text_indices, minlength=self.n_skills)
            return _frozen(counts.astype(np.int64, copy=False))
        return _frozen(kernels().skill_degrees(self.text_indices, self.n_skills))

    @cached_property
    def edge_texts(self) -> np.ndarray:
        """Text id of every edge slot (int64, ``(n_edges,)``), aligned with ``text_indices``."""
        return _frozen(np.repeat(np.arange(self.n_texts, dtype=np.int64), self.text_degrees))

    def skill_texts(self, *, cache: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Skill-side CSR ``(indptr, indices)`` built by a counting sort.

        ``indices[indptr[s]:indptr[s + 1]]`` are the text pieces using skill
        ``s``, ascending, repeated by multiplicity.  O(n_edges + n_skills).

        Parameters
        ----------
        cache : bool, default True
            Keep the CSR on the graph for the next call.  ``False`` builds it
            without keeping it (unless the graph already holds it), for a
            caller that needs it only for a while: at ``n_texts = 1e7, k = 8``
            it is 320 MB.
        """
        if not isinstance(cache, bool):
            raise TypeError(f"cache must be True or False, got {type(cache).__name__} {cache!r}")
        if cache:
            return self._skill_csr
        cached = self.__dict__.get("_skill_csr")  # functools.cached_property's slot
        return cached if cached is not None else self._build_skill_csr()

    @cached_property
    def _skill_csr(self) -> tuple[np.ndarray, np.ndarray]:
        return self._build_skill_csr()

    def _build_skill_csr(self) -> tuple[np.ndarray, np.ndarray]:
        check_memory(8 * (self.n_edges + self.n_skills + 1), "the skill-side CSR")
        if self.n_edges < _PARALLEL_FROM:
            # a stable sort by skill keeps each skill's texts ascending, as the counting sort;
            # int32 text ids as the kernel's (which refuses more than 2**31 - 1 texts)
            if self.n_texts > 2**31 - 1:
                raise ValueError(
                    "the skill-side CSR holds text ids as int32: at most 2**31 - 1 texts"
                )
            order = np.argsort(self.text_indices, kind="stable")
            indptr = np.zeros(self.n_skills + 1, dtype=np.int64)
            np.cumsum(self.degrees, out=indptr[1:])
            return _frozen(indptr), _frozen(self.edge_texts[order].astype(np.int32))
        indptr, indices = kernels().counting_sort_by_skill(
            self.text_indptr, self.text_indices, self.n_skills
        )
        return _frozen(indptr), _frozen(indices)

    def __repr__(self) -> str:
        k = self.k if self.k is not None else "ragged"
        return f"SkillGraph(n_skills={self.n_skills}, n_texts={self.n_texts}, k={k})"

    # ---- constructors -------------------------------------------------------
    @classmethod
    def _from_csr(
        cls, indptr, indices, n_skills, skill_measure, degrees=None, k=None
    ) -> SkillGraph:
        """``degrees``, when given, must equal ``bincount(indices, minlength=n_skills)``
        (int64): the sampler counts them while drawing, and they seed the
        ``degrees`` cache instead of a second pass over the edges.  ``k``, when
        given, must be the number of skills of every text (``indptr`` is then
        ``arange(n_texts + 1) * k``): it seeds the ``k`` cache, which spares a
        pass over the row pointers and lets the kernels skip reading them."""
        measure = _frozen(skill_measure_array(n_skills, skill_measure).copy())
        graph = cls(
            text_indptr=_frozen(np.ascontiguousarray(indptr, dtype=np.int64)),
            text_indices=_frozen(np.ascontiguousarray(indices, dtype=np.int32)),
            n_skills=int(n_skills),
            skill_measure=measure,
        )
        if degrees is not None:
            # what the cached_property would store on first access (frozen dataclass:
            # the instance __dict__ is its cache, as functools.cached_property uses it)
            graph.__dict__["degrees"] = _frozen(np.asarray(degrees, dtype=np.int64))
        if k is not None:
            graph.__dict__["k"] = int(k)
        return graph

    @classmethod
    def from_text_skills(cls, text_skills, n_skills=None, skill_measure=None) -> SkillGraph:
        """A graph from an ``(n_texts, k)`` integer array of skill ids.

        Parameters
        ----------
        text_skills : array_like of int, shape (n_texts, k)
            Row ``i`` lists the skills of text piece ``i`` (repeats allowed).
        n_skills : int, optional
            Number of skills; default ``max(text_skills) + 1``.
        skill_measure : {"uniform", "zipf"} or array_like, optional
            ``mu1``; default uniform.
        """
        array = np.asarray(text_skills)
        if not np.issubdtype(array.dtype, np.integer):
            raise TypeError(f"text_skills must be an integer array, got dtype {array.dtype}")
        if array.ndim != 2 or array.shape[1] < 1:
            raise ValueError(
                f"text_skills must have shape (n_texts, k) with k >= 1, got {array.shape}"
            )
        n_texts, k = array.shape
        return cls.from_edges(
            np.repeat(np.arange(n_texts), k),
            array.ravel(),
            n_texts=n_texts,
            n_skills=n_skills,
            skill_measure=skill_measure,
        )

    @classmethod
    def from_edges(
        cls, text_ids, skill_ids, *, n_texts=None, n_skills=None, skill_measure=None
    ) -> SkillGraph:
        """A graph from an edge list of ``(text_id, skill_id)`` pairs.

        Text pieces may have different numbers of skills (a ragged graph, as in
        user data); a repeated pair is an edge of multiplicity > 1.

        Parameters
        ----------
        text_ids, skill_ids : array_like of int, shape (n_edges,)
            Endpoints of each edge; ids start at 0.
        n_texts, n_skills : int, optional
            Sizes; default one more than the largest id (nodes without edges
            are allowed beyond that).
        skill_measure : {"uniform", "zipf"} or array_like, optional
            ``mu1``; default uniform.
        """
        texts = np.asarray(text_ids)
        skills = np.asarray(skill_ids)
        for name, arr in (("text_ids", texts), ("skill_ids", skills)):
            if arr.size and not np.issubdtype(arr.dtype, np.integer):
                raise TypeError(f"{name} must be integers, got dtype {arr.dtype}")
            if arr.ndim != 1:
                raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
        if texts.shape != skills.shape:
            raise ValueError(
                f"text_ids and skill_ids must have the same length, got {texts.shape[0]} "
                f"and {skills.shape[0]}"
            )
        texts = texts.astype(np.int64, copy=False)
        skills = skills.astype(np.int64, copy=False)
        if texts.size and texts.min() < 0:
            raise ValueError(f"text_ids must be >= 0, got {texts.min()}")
        if skills.size and skills.min() < 0:
            raise ValueError(f"skill_ids must be >= 0, got {skills.min()}")
        max_text = int(texts.max()) + 1 if texts.size else 0
        max_skill = int(skills.max()) + 1 if skills.size else 0
        n_texts = max_text if n_texts is None else check_int("n_texts", n_texts, 0)
        n_skills = max(max_skill, 1) if n_skills is None else check_int(
            "n_skills", n_skills, 1, MAX_SKILLS
        )
        if max_text > n_texts:
            raise ValueError(f"text id {max_text - 1} out of range for n_texts={n_texts}")
        if max_skill > n_skills:
            raise ValueError(f"skill id {max_skill - 1} out of range for n_skills={n_skills}")
        check_memory(
            16 * (n_texts + 1) + 32 * texts.size + 24 * n_skills,
            f"a graph of {n_texts:,} text pieces, {n_skills:,} skills and {texts.size:,} edges",
            "Ids are positions: number text pieces and skills 0..n-1 without large gaps.",
        )
        order = np.argsort(texts, kind="stable")
        indptr = np.zeros(n_texts + 1, dtype=np.int64)
        np.cumsum(np.bincount(texts, minlength=n_texts), out=indptr[1:])
        return cls._from_csr(
            indptr, skills[order], n_skills, "uniform" if skill_measure is None else skill_measure
        )

    @classmethod
    def from_networkx(cls, G) -> SkillGraph:
        """A graph from a networkx bipartite graph, node names kept.

        Skill nodes carry ``bipartite=0``, text nodes ``bipartite=1`` (the
        networkx convention, as written by :meth:`to_networkx`).  Skills and
        texts are numbered in the graph's node order, and the node names are
        kept as ``skill_names`` and ``text_names``.  An edge attribute
        ``multiplicity`` (default 1) repeats an edge; in a ``MultiGraph``
        parallel edges add up.  A skill node attribute ``measure`` gives
        ``mu1``: on every skill node, or on none (uniform).  Directed graphs
        are refused (an edge would count once per direction).
        """
        return _graph_from_networkx(G)

    def with_names(self, skill_names=None, text_names=None) -> SkillGraph:
        """This graph with names for its skills and text pieces (``None``: positions).

        Raises
        ------
        ValueError
            A list of names of the wrong length, or with repeats.
        """
        for what, names, n in (("skill_names", skill_names, self.n_skills),
                               ("text_names", text_names, self.n_texts)):  # fmt: skip
            if names is not None and (len(names) != n or len(set(names)) != n):
                raise ValueError(f"{what} must be {n} distinct names, got {len(names)} "
                                 f"({len(set(names))} distinct)")  # fmt: skip
        named = dataclasses.replace(self, skill_names=None if skill_names is None else tuple(
            skill_names), text_names=None if text_names is None else tuple(text_names))
        named.__dict__.update({k: v for k, v in self.__dict__.items()
                               if k in ("degrees", "k")})  # fmt: skip  (cached, unchanged)
        return named

    def to_networkx(self):
        """This graph as a networkx bipartite graph.

        Skill ``s`` is node ``skill_names[s]`` (default ``("s", s)``) with
        ``bipartite=0`` and ``measure``; text ``i`` is node ``text_names[i]``
        (default ``("t", i)``) with ``bipartite=1``; each distinct (skill,
        text) pair is one edge with attribute ``multiplicity``.
        """
        import networkx as nx

        skill = self.skill_names or [("s", s) for s in range(self.n_skills)]
        text = self.text_names or [("t", i) for i in range(self.n_texts)]
        G = nx.Graph()
        G.add_nodes_from(
            (skill[s], {"bipartite": 0, "measure": float(m)})
            for s, m in enumerate(self.skill_measure)
        )
        G.add_nodes_from((text[i], {"bipartite": 1}) for i in range(self.n_texts))
        pairs = self.edge_texts * self.n_skills + self.text_indices
        unique, counts = np.unique(pairs, return_counts=True)
        n = self.n_skills
        G.add_edges_from(
            (skill[int(p % n)], text[int(p // n)], {"multiplicity": int(c)})
            for p, c in zip(unique, counts, strict=True)
        )
        return G


# ---------------------------------------------------------------------------
# networkx graphs


def _networkx_sides(G) -> tuple[list, list]:
    """The skill nodes (``bipartite=0``) and text nodes (``bipartite=1``), in node order."""
    skills, texts = [], []
    for node, data in G.nodes(data=True):
        side = data.get("bipartite")
        if side == 0:
            skills.append(node)
        elif side == 1:
            texts.append(node)
        else:
            raise ValueError(
                f"node {node!r} has bipartite={side!r}; every node needs bipartite=0 "
                "(skill) or 1 (text)"
            )
    if not skills:
        raise ValueError("G has no skill nodes (bipartite=0)")
    return skills, texts


def _networkx_measure(G, skills: list):
    """``mu1`` from the skills' ``measure`` attributes: all of them, or none (uniform)."""
    measure = [G.nodes[node].get("measure") for node in skills]
    missing = [node for node, m in zip(skills, measure, strict=True) if m is None]
    if len(missing) == len(skills):
        return None
    if missing:
        shown = ", ".join(repr(node) for node in missing[:3])
        raise ValueError(
            f"G gives a measure to {len(skills) - len(missing)} of its {len(skills)} skill "
            f"nodes; give every skill node a 'measure' attribute or none (uniform mu1). "
            f"Without one: {shown}{' ...' if len(missing) > 3 else ''}"
        )
    return np.asarray(measure, dtype=float)


def _graph_from_networkx(G) -> SkillGraph:
    """A :class:`SkillGraph` from a networkx bipartite graph.

    Skill nodes carry ``bipartite=0``, text nodes ``bipartite=1`` (the
    networkx convention, as written by
    :meth:`SkillGraph.to_networkx`).  Skills and texts
    are numbered in the graph's node order, and the node names are kept as
    the graph's ``skill_names`` and ``text_names`` (results such as
    :func:`skillgraph.check`'s bad skills are reported by name).  An edge
    attribute ``multiplicity`` (default 1) repeats an edge; in a
    ``MultiGraph`` parallel edges add up.  A skill node attribute
    ``measure`` gives ``mu1``: on every skill node, or on none (uniform).

    Raises
    ------
    TypeError
        ``G`` is not a networkx graph, or is directed (``DiGraph``,
        ``MultiDiGraph``): an undirected edge would be read once per
        direction; pass ``G.to_undirected()``.
    ValueError
        A node without ``bipartite`` 0 or 1, an edge that does not join a
        skill to a text, a bad ``multiplicity``, or ``measure`` on some skill
        nodes only.
    """
    import networkx as nx  # optional at import time: only this reader needs it

    if not isinstance(G, nx.Graph):
        raise TypeError(f"G must be a networkx graph, got {type(G).__name__}")
    if G.is_directed():
        raise TypeError(
            f"G must be an undirected graph, got a directed {type(G).__name__}: every text-skill "
            "edge would count once per direction; pass G.to_undirected()"
        )
    skills, texts = _networkx_sides(G)
    skill_id = {node: i for i, node in enumerate(skills)}
    text_id = {node: i for i, node in enumerate(texts)}
    t_ids, s_ids = [], []
    for u, v, data in G.edges(data=True):
        if u in skill_id and v in text_id:
            s, t = skill_id[u], text_id[v]
        elif v in skill_id and u in text_id:
            s, t = skill_id[v], text_id[u]
        else:
            raise ValueError(f"edge ({u!r}, {v!r}) does not join a skill to a text")
        multiplicity = data.get("multiplicity", 1)
        if isinstance(multiplicity, bool) or not isinstance(multiplicity, int | np.integer):
            raise TypeError(f"edge ({u!r}, {v!r}) multiplicity must be an int")
        if multiplicity < 1:
            raise ValueError(f"edge ({u!r}, {v!r}) multiplicity must be >= 1")
        # a list slot is 8 bytes and the graph 32 an edge: refuse before building the lists
        check_memory(48 * (len(t_ids) + int(multiplicity)),
                     f"G's edges with multiplicity (edge ({u!r}, {v!r}) has {multiplicity:,})",
                     "Lower the multiplicity attributes.")  # fmt: skip
        t_ids.extend([t] * int(multiplicity))
        s_ids.extend([s] * int(multiplicity))
    graph = SkillGraph.from_edges(
        np.asarray(t_ids, dtype=np.int64),
        np.asarray(s_ids, dtype=np.int64),
        n_texts=len(texts),
        n_skills=len(skills),
        skill_measure=_networkx_measure(G, skills),
    )
    return graph.with_names(skills, texts)
