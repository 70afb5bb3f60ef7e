"""TaskModule: the LightningModule every head shares, a thin shell over a course head (nnref.heads).

It is the module the Lightning docs describe: `training_step` takes one batch and returns its loss,
Lightning calls `optimizer.step(closure)` (automatic optimization), validation and test run through
Lightning's own loops. Each stage's numbers are torchmetrics objects, updated per batch and
computed, logged and reset at the end of the epoch: the loss's mean (nnref.heads.MeanLoss) in every
stage, and
the head's metrics (a MetricCollection) on the validation and test rows. Their states have a fixed
size, and under DDP torchmetrics adds up every process's share itself.

The training stage keeps its loss only. The head's metrics on the training stream would cost about
a fifth of a step on digits (two torchmetrics updates per batch, next to a forward and backward of
a small net), and validation measures them each epoch on rows the net has not trained on.
"""

from __future__ import annotations

import json
import time

import lightning as L
import torch

from ..checkpoint import extras, hyperparameters
from ..heads import Head, MeanLoss
from ..nets import MLP

STAGES = ("train", "val", "test")


class TaskModule(L.LightningModule):
    head_class: type[Head] = Head  # each head's shell names its course head

    def __init__(
        self,
        n_inputs: int | None = None,
        n_outputs: int | None = None,
        hidden=(64,),
        activation: str = "relu",
        loss: str | None = None,
        optimizer=None,
        scheduler=None,
        encoders: dict | None = None,
        net: MLP | None = None,
        **options,
    ):
        super().__init__()
        if net is not None:  # built by Hydra from conf/model (train.py); its outputs are the head's
            n_outputs = net.n_outputs
        self.head = self.head_class(n_outputs, loss, encoders, **options)
        self.net = net if net is not None else MLP(n_inputs, hidden, n_outputs, activation)
        self.save_hyperparameters(
            hyperparameters(self.net, self.head, encoders),
            # the run's whole config is in .hydra/; the checkpoint keeps these to rebuild the head
            logger=False,
        )
        self.optimizer_factory, self.scheduler_factory = optimizer, scheduler
        self.train_loss, self.val_loss, self.test_loss = MeanLoss(), MeanLoss(), MeanLoss()
        self.val_metrics = self.head.metric_collection(prefix="val/")
        self.test_metrics = self.head.metric_collection(prefix="test/")
        # One row per epoch: epoch, step, seconds, lr, train/loss, val/...
        self.history: list[dict] = []
        self.val_values: dict = {}  # the latest validation's numbers, for the epoch's history row
        self.test_values: dict = {}
        self.diverged: dict | None = None
        self.fit_started = None

    @property
    def name(self) -> str:
        return self.head.name

    # ------------------------------------------------------------ the network
    def forward(self, x):
        return self.net(x)

    # ------------------------------------------------------------ steps: one batch each
    def training_step(self, batch, batch_idx):
        x, y = batch
        n = len(y)
        logits = self(x)
        # A DDP shard of a one-row batch can be empty: it adds nothing to the gradient.
        loss = self.head.loss(logits, y) if n else self.zero_loss()
        finite = bool(torch.isfinite(loss))
        shard_loss = loss.detach()
        if self.trainer.world_size > 1:
            # One collective for two facts: the global batch's size, and whether any process's loss
            # is not finite (then every process stops at this same step, and none waits for
            # another).
            mine = torch.tensor([n, 0 if finite else 1], dtype=torch.float64, device=self.device)
            total = self.all_gather(mine).reshape(-1, 2).sum(dim=0)
            n_global, finite = float(total[0]), bool(total[1] == 0)
            # Each process holds a shard of the global batch. Weighting its mean by its share makes
            # DDP's average of the gradients exactly the gradient of the global batch's mean.
            loss = loss * (n * self.trainer.world_size / n_global)
        if not finite:
            self.stop_diverged()
            # on_before_optimizer_step then drops the gradients: nothing moves.
            return self.zero_loss()
        if n:
            self.train_loss.update(shard_loss, n)
        return loss

    def zero_loss(self) -> torch.Tensor:
        """0, from every weight: under DDP a step that adds nothing must still reach every gradient
        (Lightning's advice for a skipped step), so the processes' all-reduce stays in step."""
        return torch.stack([p.sum() for p in self.parameters()]).sum() * 0.0

    def on_before_optimizer_step(self, optimizer):
        if self.diverged is not None:
            optimizer.zero_grad(set_to_none=True)  # no gradient: every optimizer leaves w as it was

    def validation_step(self, batch, batch_idx):
        self.evaluate(batch, self.val_loss, self.val_metrics)

    def test_step(self, batch, batch_idx):
        self.evaluate(batch, self.test_loss, self.test_metrics)

    @torch.no_grad()
    def evaluate(self, batch, mean_loss, metrics):
        x, y = batch
        logits = self(x).float()
        mean_loss.update(self.head.loss(logits, y), len(y))
        metrics.update(*self.head.metric_inputs(logits, y))

    # ------------------------------------------------------------ once per epoch
    def epoch_values(self, stage: str, mean_loss, metrics=None) -> dict:
        """The stage's numbers over the epoch (every process's rows under DDP), then reset."""
        values = {}
        if mean_loss.update_count:
            values[f"{stage}/loss"] = float(mean_loss.compute())
            if metrics is not None:
                values.update({k: float(v) for k, v in metrics.compute().items()})
        mean_loss.reset()
        if metrics is not None:
            metrics.reset()
        return values

    def on_fit_start(self):
        # A resumed run continues its clock from the last recorded epoch.
        done = self.history[-1]["seconds"] if self.history else 0.0
        self.fit_started = time.perf_counter() - done

    def on_validation_epoch_end(self):
        self.val_values = self.epoch_values("val", self.val_loss, self.val_metrics)
        self.log_dict(self.val_values)  # already the same on every process (torchmetrics synced it)

    def on_train_epoch_end(self):
        train = self.epoch_values("train", self.train_loss)
        if self.diverged is not None:
            train = {"train/loss": float("nan")}
        self.log_dict(train)
        lr = self.trainer.optimizers[0].param_groups[0]["lr"] if self.trainer.optimizers else None
        self.history.append(
            {
                "epoch": self.current_epoch,
                "step": int(self.trainer.global_step),
                "seconds": time.perf_counter() - (self.fit_started or time.perf_counter()),
                # after this epoch's scheduler step: the next epoch's
                "lr": float(lr) if lr is not None else None,
                **train,
                **self.val_values,
            }
        )
        self.val_values = {}

    def on_test_epoch_end(self):
        self.test_values = self.epoch_values("test", self.test_loss, self.test_metrics)
        self.log_dict(self.test_values)

    def on_save_checkpoint(self, checkpoint):
        # A resumed run's results.json keeps every epoch; predict rebuilds the head it names.
        checkpoint.update(extras(self.head, self.history))

    def on_load_checkpoint(self, checkpoint):
        # A resumed fit takes the history back; testing the best checkpoint keeps the whole run's.
        try:
            fitting = self.trainer.state.fn == "fit"
        except RuntimeError:  # loaded outside a Trainer (load_from_checkpoint)
            fitting = True
        if fitting:
            self.history = json.loads(checkpoint.get("nnref_history", "[]"))

    def stop_diverged(self):
        if self.diverged is None:
            self.diverged = {
                "epoch": int(self.current_epoch),
                "step": int(self.trainer.global_step),
            }
            self.print(
                f"nnref: loss became non-finite at epoch {self.diverged['epoch']}, "
                f"step {self.diverged['step']}; stopping this run (status: diverged)"
            )
        self.trainer.should_stop = True

    # ------------------------------------------------------------ optimizer (and schedule)
    def configure_optimizers(self):
        if self.optimizer_factory is None:
            raise ValueError(
                "no optimizer: pass optimizer=functools.partial(nnref.optim.GD, lr=0.1) or similar"
            )
        opt = self.optimizer_factory(self.parameters())
        if self.scheduler_factory is None:
            return opt
        return {
            "optimizer": opt,
            "lr_scheduler": {"scheduler": self.scheduler_factory(opt), "interval": "epoch"},
        }
