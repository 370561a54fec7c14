"""`python -m sitegen` runs the command line."""

import sys

from sitegen.cli import main

sys.exit(main())
