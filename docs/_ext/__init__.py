"""Local Sphinx extensions of the skillgraph documentation."""
