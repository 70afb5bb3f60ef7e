"""setuptools reads pyproject.toml for everything but where the packages are: nnref's code is in
src/, and its Hydra configs in conf/ at the repository's top level, which the wheel carries as the
package nnref.conf (so nnref-train runs from any folder, and pkg://nnref.conf finds them)."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages("src"), "nnref.conf"],
    package_dir={"": "src", "nnref.conf": "conf"},
)
