"""nnref: a PyTorch reference implementation of two chapters of a neural-network course.

The course core is torch only: nnref.heads (the task heads), nnref.optim (the optimizers),
nnref.data (sources, encodings, splits, batchings), nnref.nets and nnref.loop. Lightning, Hydra and
Gradio live in the shells: nnref.tasks, nnref.train, nnref.playground.
"""

__version__ = "0.1.0"
