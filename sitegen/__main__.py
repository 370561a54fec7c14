"""`python -m sitegen` runs the command line, as the installed `sitegen` command does."""

from sitegen.cli import entry

entry()
