"""nnref: a PyTorch reference implementation of two chapters of a neural-network course."""
from . import quiet

quiet.install()

__version__ = "0.1.0"
