"""sitegen: a static site generator for news publishers."""

__version__ = "0.1.0"  # the package's version too: pyproject.toml reads it from here
