"""python -m nnref.testing: the same command as nnref-check (cli.py)."""

import sys

from .cli import main

sys.exit(main())
