"""Two CPU processes under DDP where only rank 1's shard of one batch gives a non-finite loss.

    python tests/support/ddp_divergence.py OUT_DIR

Lightning's DDP launcher starts rank 1 by running this same script again. Each rank writes
OUT_DIR/rank{R}.json: where it stopped, and its weights' checksum (the ranks must agree).
"""

import json
import sys
from functools import partial
from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.strategies import DDPStrategy

from nnref import quiet
from nnref.optim import GD
from nnref.tasks import RegressionModule

BAD_STEP = 2  # the batch whose rank-1 shard holds an inf


class Loader:
    """Four batches of 8 rows per epoch; each process takes its shard, as nnref's Batches do."""

    def __init__(self, rank: int, world: int):
        g = torch.Generator().manual_seed(0)
        self.x, self.y = torch.randn(32, 3, generator=g), torch.randn(32, 1, generator=g)
        self.rank, self.world = rank, world

    def __len__(self):
        return 4

    def __iter__(self):
        for b in range(4):
            x, y = self.x[b * 8 : (b + 1) * 8].clone(), self.y[b * 8 : (b + 1) * 8]
            if b == BAD_STEP and self.rank == 1:
                x[1, 0] = float("inf")  # row 1 is this rank's: idx[rank::world]
            yield x[self.rank :: self.world], y[self.rank :: self.world]


class Data(L.LightningDataModule):
    def train_dataloader(self):
        return Loader(self.trainer.global_rank, self.trainer.world_size)


def main(out: Path) -> None:
    quiet.install()
    torch.manual_seed(0)
    module = RegressionModule(3, 1, hidden=[4], optimizer=partial(GD, lr=0.01))
    trainer = L.Trainer(
        max_epochs=3,
        accelerator="cpu",
        devices=2,
        strategy=DDPStrategy(process_group_backend="gloo"),
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        limit_val_batches=0,
    )
    trainer.fit(module, datamodule=Data())
    checksum = float(sum(p.double().sum() for p in module.parameters()))
    result = {"diverged": module.diverged, "global_step": trainer.global_step, "checksum": checksum}
    out.mkdir(parents=True, exist_ok=True)
    (out / f"rank{trainer.global_rank}.json").write_text(json.dumps(result))
    torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
