"""Sphinx configuration of the skillgraph documentation.

Build the site from the repository root with::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

``-W`` turns every warning into an error: a broken cross-reference, a
docstring numpydoc cannot parse, a gallery example that raises or a public
name missing from the API reference all fail the build.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# The gallery imports paper_figs, which lives at the repository root.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS))

# Examples run in this process: no GUI backend, one BLAS thread (the build
# must stay fast and reproducible on a 2-core machine).
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from _ext.figure_scraper import FigureObjectScraper  # noqa: E402

import skillgraph  # noqa: E402

project = "skillgraph"
author = "skillgraph developers"
copyright = "skillgraph developers"  # noqa: A001 (Sphinx's name)
version = release = skillgraph.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinxarg.ext",
    "_ext.links",
    "_ext.api_pages",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "gallery/README.rst"]
root_doc = "index"
# Every cross-reference must land (-W makes a broken one an error).  The build
# is offline (no intersphinx), so references into other projects are let go.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|scipy|matplotlib|hypothesis|networkx|dask|argparse|pathlib|os)(\..*)?"),
]

# -- API reference -----------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"  # numpydoc's Parameters sections say it better
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- Gallery -----------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["gallery"],
    "gallery_dirs": ["auto_gallery"],
    "filename_pattern": r"/plot_",
    "image_scrapers": (FigureObjectScraper(), "matplotlib"),
    "reset_modules": ("matplotlib",),
    "remove_config_comments": True,
    "download_all_examples": False,
    "min_reported_time": 1,
    "show_memory": False,
    "plot_gallery": "True",
    "abort_on_example_error": False,
    "backreferences_dir": None,
    "within_subsection_order": "FileNameSortKey",
}

# -- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skillgraph {release}"
html_static_path = ["_static"]
html_css_files = ["skillgraph.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "install": [], "quickstart": []}
html_show_sourcelink = False
