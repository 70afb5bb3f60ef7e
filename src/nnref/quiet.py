"""The warnings nnref silences, all in one place. Each is about a choice made on purpose.

Importing nnref changes nothing: the entry points (nnref-train, nnref-predict, the playground)
call `install()`, and the tests hand FILTERS to pytest (tests/conftest.py).
"""

import warnings

FILTERS = (
    # Lightning 2.6 on torch 2.13 warns about a deprecated pytree API on every run; not ours to fix.
    ".*treespec.*",
    # Resuming a run writes into its own checkpoints folder again, which is what resume means.
    ".*Checkpoint directory .* exists and is not empty.*",
    # Batches are sliced from in-memory tensors in the main process: there are no workers to add.
    ".*does not have many workers.*",
    # Full-batch GD has one batch per epoch, fewer than any logging interval; metrics are per epoch.
    ".*smaller than the logging interval.*",
    # Epoch metrics are torchmetrics objects synced across processes before they are logged.
    ".*when logging on epoch level in distributed setting.*",
)


def install() -> None:
    for message in FILTERS:
        warnings.filterwarnings("ignore", message=message)
