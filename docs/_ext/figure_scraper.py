"""A sphinx-gallery image scraper for ``matplotlib.figure.Figure`` objects.

skillgraph's figure functions build figures with matplotlib's object-oriented
API (``matplotlib.figure.Figure``), never through pyplot, so sphinx-gallery's
default scraper, which looks at pyplot's open figures, does not see them.
This scraper looks at the example's global variables after each code block
and saves every ``Figure`` (or list/tuple of them) it has not saved before.
"""

from __future__ import annotations

import weakref


class FigureObjectScraper:
    """Save the ``Figure`` objects a gallery example leaves in its globals."""

    def __init__(self):
        self._source = None
        # weak, so that no figure outlives its example through the Sphinx config
        self._seen = weakref.WeakSet()

    def __repr__(self) -> str:  # sphinx-gallery keys its cache on the repr
        return "FigureObjectScraper()"

    def __getstate__(self) -> dict:  # Sphinx pickles its config: keep no figures in it
        return {}

    def __setstate__(self, state: dict) -> None:
        self.__init__()

    def __call__(self, block, block_vars, gallery_conf):
        from matplotlib._pylab_helpers import Gcf
        from matplotlib.figure import Figure
        from sphinx_gallery.scrapers import figure_rst

        # pyplot's figures are the matplotlib scraper's business (this scraper runs first)
        pyplot_figures = [m.canvas.figure for m in Gcf.get_all_fig_managers()]
        if block_vars["src_file"] != self._source:
            self._source = block_vars["src_file"]
            self._seen = weakref.WeakSet()
        # once closed by the matplotlib scraper they leave Gcf but stay in the globals
        self._seen.update(pyplot_figures)

        found = []
        for value in list(block_vars["example_globals"].values()):
            items = value if isinstance(value, (list, tuple)) else (value,)
            for item in items:
                if isinstance(item, Figure) and item not in self._seen:
                    self._seen.add(item)
                    found.append(item)
        paths = []
        for fig, path in zip(found, block_vars["image_path_iterator"], strict=False):
            fig.savefig(path, dpi=150, bbox_inches="tight")
            paths.append(path)
        return figure_rst(paths, gallery_conf["src_dir"])
