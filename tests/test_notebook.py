"""A notebook as a theorist writes it, executed by a real kernel: tables, figures, frames, quiet.

The notebook is built here (nbformat) and run with nbclient in a temporary
directory; every result must come out as an HTML table, every figure as a
PNG, and nothing may be written to stderr but progress bars.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[1]

SPEC = '''
name = "nb"
seed = 1
measures = ["bad_fraction", "bound"]
[grid]
n_skills = 40
n_texts = 400
k = 4
failure = ["random", "deficit"]
theta = [0.05, 0.1, 0.2]
beta = [0.3]
'''

# (source, what its output must hold): "html" a text/html table, "png" an image,
# "text:<regex>" a text/plain output matching the regex
CELLS = [
    ("import skillgraph as sg\nimport networkx as nx", None),
    ("sg.emergence_bound(0.05, 0.5, 8)", "html"),
    ("sg.sharp_bound(0.05, 0.5, 8)", "html"),
    ("g = sg.sample_graph(60, 1200, 4, seed=0)\n"
     "est = sg.bad_fraction(g, sg.random_failures(g, 0.2, seed=1), 0.2)\nest", "html"),
    ("report = sg.check(g, 0.1, 0.5, seed=0)\nreport", "html"),
    ("report.to_pandas()", "html"),
    ("run = sg.emerge(n_skills=60, n_texts=1200, replicates=2, compute=(1e22, 1e24),\n"
     "                sim_points=5, bound_points=9, tuples=(1, 2), betas=(0.5,),\n"
     "                n_tuples=300, seed=0, progress=True)\nrun", "html"),
    ("figs = run.figures()\nfigs['emergence']", "png"),
    ("df = run.to_pandas()\n"
     "df[df.quantity == 'tuple_fraction'].pivot_table(index='theta', columns='source',\n"
     "                                                values='value')", "html"),
    ("from pathlib import Path\nfrom skillgraph.sweep.runner import parse_spec, run_sweep\n"
     f"sweep = run_sweep(parse_spec({SPEC!r}), Path('sweep'))\nsweep", "html"),
    ("sweep.to_pandas().pivot_table(index='theta', columns='source', values='value')", "html"),
    ("sweep.figures()", "html"),
    ("from skillgraph.mechanisms import memory\n"
     "mem = memory.run(memory.MemoryConfig(trials=2, d=(16, 32, 64), fit_window=(16, 64),\n"
     "    T=(10, 100, 1000), T_d=(32,), data_fit_window=(10, 1000), emergence_d=(16, 64),\n"
     "    replicates=2, n_texts=2000, tuples=(1,)))\nmem", "html"),
    ("mem.figures()['memory_emergence']", "png"),
    ("mem.to_pandas().groupby('quantity').value.mean()", r"text:quantity"),
    ("davis = nx.davis_southern_women_graph()\n"
     "sg.check(davis, 0.3, 0.5, seed=0).bad_skills()", r"text:\('\w+ \w+'"),
]


def _notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source, _ in CELLS]
    return nb


def _outputs(cell, kind: str) -> list:
    return [o for o in cell.outputs if o.get("output_type") in kind.split("|")]


@pytest.mark.slow
def test_a_theorists_notebook_shows_tables_and_figures_without_warnings(tmp_path):
    env_path = os.environ.get("PYTHONPATH", "")
    backend = os.environ.pop("MPLBACKEND", None)  # the kernel picks its notebook backend
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env_path) if p)
    try:
        nb = _notebook()
        client = nbclient.NotebookClient(
            nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
        )
        client.execute()
    finally:
        os.environ["PYTHONPATH"] = env_path
        if backend is not None:
            os.environ["MPLBACKEND"] = backend
        nbformat.write(nb, tmp_path / "executed.ipynb")
    for cell, (source, expected) in zip(nb.cells, CELLS, strict=True):
        errors = _outputs(cell, "error")
        assert not errors, (source, errors)
        stderr = "".join(o.text for o in _outputs(cell, "stream") if o.name == "stderr")
        bars_only = re.sub(r"[^\n\r]*\|[^\n\r]*\r?", "", stderr).strip()  # tqdm lines have '|'
        assert "Warning" not in stderr and not bars_only, (source, stderr)
        data = [o.data for o in _outputs(cell, "execute_result|display_data")]
        if expected == "html":
            assert any("<table" in d.get("text/html", "") or "<img" in d.get("text/html", "")
                       for d in data), (source, data)  # fmt: skip
        elif expected == "png":
            assert any("image/png" in d for d in data), (source, data)
        elif expected is not None:
            text = "".join(d.get("text/plain", "") for d in data)
            assert re.search(expected[len("text:"):], text), (source, text)
