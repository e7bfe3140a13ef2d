"""Package discovery that pyproject.toml alone cannot express.

Every package under src/ is found, so no subpackage can be left out of the wheel (newsclf.trainers
once was). conf/ and data/demo are mapped in as newsclf.conf and newsclf.demo by
[tool.setuptools.package-dir], which packages.find does not see; conf/'s group folders hold only
YAML and are listed as namespace packages so that setuptools knows they are meant to ship.
Everything else is in pyproject.toml.
"""

from setuptools import find_namespace_packages, find_packages, setup

CONFIG_PACKAGES = ["newsclf.conf", *(f"newsclf.conf.{p}" for p in find_namespace_packages("conf"))]

setup(packages=[*find_packages("src"), *CONFIG_PACKAGES, "newsclf.demo"])
