"""python -m nnref.grading: the same command as nnref-grade (cli.py)."""

import sys

from .cli import main

sys.exit(main())
