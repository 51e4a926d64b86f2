"""Packages of the wheel; everything else is in pyproject.toml.

The sweep specs live once, in sims/ (the repository's home of the specs). The
wheel ships them as the data package ``skillgraph._examples`` (sims/ mapped
onto it), so ``skillgraph sweep --example smoke`` works outside a clone without
a second copy that could drift; :mod:`skillgraph.cli._examples` finds them in
either place. pyproject.toml cannot map a directory outside the package tree
while also finding the packages, hence this file.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["skillgraph*"]), "skillgraph._examples"],
    package_dir={"skillgraph._examples": "sims"},
)
