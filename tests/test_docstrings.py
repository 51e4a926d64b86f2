"""Shared numpydoc entries: substituted at the placeholder's indentation, never left behind."""

from __future__ import annotations

import pytest

from skillgraph._docstrings import fill_doc, substitute
from skillgraph.core.intervals import wilson_interval
from skillgraph.mechanisms.superposition.estimate import MeanEstimate


def test_an_entry_takes_the_indentation_of_its_placeholder():
    doc = "Summary.\n\n    Parameters\n    ----------\n        %(x)s\n    y : int\n"
    entry = "\n    x : float\n        In (0, 1).\n    "
    assert substitute(doc, {"x": entry}) == (
        "Summary.\n\n    Parameters\n    ----------\n        x : float\n            In (0, 1).\n"
        "    y : int\n"
    )


def test_only_a_line_holding_the_placeholder_alone_is_replaced():
    doc = "Use %(x)s inline.\n    %(x)s\n"
    assert substitute(doc, {"x": "X"}) == "Use %(x)s inline.\n    X\n"


def test_an_unknown_placeholder_fails_when_the_function_is_defined():
    with pytest.raises(KeyError, match="nowhere"):

        @fill_doc()
        def f():
            """Summary.

            %(nowhere)s
            """


def test_a_keyword_entry_and_no_docstring():
    @fill_doc(extra="extra : int\n    Counted.")
    def f():
        """Summary.

        %(extra)s
        """

    def g():
        pass

    assert f.__doc__ == "Summary.\n\n        extra : int\n            Counted.\n        "
    assert fill_doc()(g) is g and g.__doc__ is None


@pytest.mark.parametrize("obj", [wilson_interval, MeanEstimate.from_samples])
def test_filled_docstrings_read_as_written(obj):
    assert "%(" not in obj.__doc__
    assert "confidence_level : float\n" in obj.__doc__
    assert "Deprecated alias of ``confidence_level``." in obj.__doc__
