"""TaskModule: the LightningModule every head shares — an MLP body, one batch per training step.

A head (regression.py, binary.py, multiclass.py, multilabel.py) adds what is particular to its task:
the output activation, its losses, how its targets are encoded, its metrics and which data fit it.
Everything here is the Lightning docs' pattern: `training_step` returns one batch's loss and
Lightning calls `optimizer.step(closure)` (automatic optimization), validation and test run through
Lightning's own loops, and metrics are logged once per epoch with `self.log_dict`.

Per step, the module keeps only a detached copy of the logits; the epoch's metrics are computed
from them once, at the end of the epoch, with torchmetrics' functional API.
"""
from __future__ import annotations

import json
import math
import time

import lightning as L
import torch

from ..data.encoding import encoder_from_dict
from ..nets import MLP


class TaskModule(L.LightningModule):
    # ------------------------------------------------------------ what each head declares
    name = "base"  # the task's name: task=NAME on the command line, HEADS[NAME] in Python
    losses: dict = {}  # loss name -> function(logits, y, reduction="mean"); the first is the default
    options: dict = {}  # the head's own options -> their valid values; the first is the default
    metrics: tuple = ()  # names of compute_metrics' keys (besides "loss")
    main_metric = "test/loss"  # what a sweep ranks configurations by
    higher_is_better = False
    target_kind = "classes"  # the target a data set needs: "number", "classes" or "labels"

    def __init__(self, n_inputs: int | None = None, n_outputs: int | None = None, hidden=(64,),
                 activation: str = "relu", loss: str | None = None, optimizer=None, scheduler=None,
                 encoders: dict | None = None, net: MLP | None = None, **options):
        super().__init__()
        loss = loss or next(iter(self.losses))
        options = self.check_options(loss, **options)
        if net is not None:  # built by Hydra from conf/model (train.py); its sizes are the head's
            n_inputs, n_outputs, hidden, activation = net.n_inputs, net.n_outputs, net.hidden, net.activation
        else:
            net = MLP(n_inputs, hidden, n_outputs, activation)
        self.save_hyperparameters(
            {"n_inputs": n_inputs, "n_outputs": n_outputs, "hidden": list(net.hidden), "activation": activation,
             "loss": loss, "encoders": encoders, **options},
            logger=False,  # the run's whole config is in .hydra/; the checkpoint keeps these to rebuild the head
        )
        self.net = net
        self.loss_name = loss
        for key, value in options.items():
            setattr(self, key, value)
        self.optimizer_factory, self.scheduler_factory = optimizer, scheduler
        self.encoders = {k: encoder_from_dict(v) for k, v in (encoders or {}).items()}
        self.epoch_outputs = {"train": [], "val": [], "test": []}
        self.history: list[dict] = []  # one row per epoch: epoch, step, seconds, lr, train/..., val/...
        self.val_metrics: dict = {}  # the latest validation's numbers, for the epoch's history row
        self.test_metrics: dict = {}
        self.diverged: dict | None = None
        self.fit_started = None

    # ------------------------------------------------------------ the head's rules, asked by others
    @classmethod
    def check_options(cls, loss: str, **options) -> dict:
        """The head's settings with defaults filled in; a ValueError names a bad key and what is valid."""
        if loss not in cls.losses:
            raise ValueError(f"task.loss={loss}: not valid for task={cls.name}; valid: {', '.join(cls.losses)}")
        unknown = sorted(set(options) - set(cls.options))
        if unknown:
            valid = ", ".join(f"task.{k}" for k in cls.options) or "none"
            raise ValueError(f"task.{unknown[0]} is not an option of task={cls.name}; its options: {valid}")
        chosen = {key: options.get(key, values[0]) for key, values in cls.options.items()}
        for key, value in chosen.items():
            if value not in cls.options[key]:
                raise ValueError(f"task.{key}={value}: unknown; valid: {', '.join(cls.options[key])}")
        return chosen

    @classmethod
    def target_encoding(cls, **options) -> str:
        """The target encoding the data module applies for this head (a name in nnref.data.encoding)."""
        raise NotImplementedError

    @classmethod
    def output_size(cls, target_encoder) -> int:
        """The number of output units, from the fitted target encoder."""
        raise NotImplementedError

    @classmethod
    def fits(cls, kind: str, n_classes: int | None) -> bool:
        """Whether a data set whose target is `kind` (with n_classes classes) fits this head."""
        return kind == cls.target_kind

    # ------------------------------------------------------------ what each head defines
    def activation(self, logits: torch.Tensor) -> torch.Tensor:
        """The output activation: logits (net inputs of the output units) -> outputs."""
        raise NotImplementedError

    def loss(self, logits: torch.Tensor, y: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
        """The head's loss: "none" gives one value per sample, "mean" and "sum" reduce over samples."""
        return self.losses[self.loss_name](logits, y, reduction=reduction)

    def predict(self, logits: torch.Tensor) -> torch.Tensor:
        """Outputs in the user's units: probabilities, or values in the target's original units."""
        return self.activation(logits)

    def compute_metrics(self, logits: torch.Tensor, y: torch.Tensor) -> dict:
        """The head's metrics (torchmetrics' functional API) over the epoch's rows. The inputs are the
        module's own outputs and targets, so torchmetrics' argument checks are skipped."""
        raise NotImplementedError

    def decode(self, outputs: torch.Tensor) -> tuple[list[str], dict]:
        """predict()'s outputs -> (the prediction per row in the user's terms, {column: values})."""
        raise NotImplementedError

    # ------------------------------------------------------------ the network
    def forward(self, x):
        return self.net(x)

    # ------------------------------------------------------------ steps: one batch each
    def training_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        loss = self.loss(logits, y)
        value = loss.item()
        if not math.isfinite(value):
            # Returning None skips this backward and update; the Trainer stops before the next batch.
            self.stop_diverged()
            return None
        # The epoch's metrics come from these at its end: no metric work per step.
        self.epoch_outputs["train"].append((logits.detach().float(), y, value * len(y)))
        if self.trainer.world_size > 1:
            # Each process holds a shard of the global batch. Weighting its mean by its share makes
            # DDP's average of the gradients exactly the gradient of the global batch's mean.
            n = self.all_gather(torch.tensor(len(y), device=self.device)).sum()
            loss = loss * (len(y) * self.trainer.world_size / n)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.epoch_outputs["val"].append((self(x).float(), y, None))

    def test_step(self, batch, batch_idx):
        x, y = batch
        self.epoch_outputs["test"].append((self(x).float(), y, None))

    # ------------------------------------------------------------ once per epoch
    def epoch_metrics(self, stage: str) -> dict:
        """The stage's metrics over every row its steps saw this epoch (all processes' under DDP)."""
        outputs, self.epoch_outputs[stage] = self.epoch_outputs[stage], []
        if not outputs:
            return {}
        logits, y = torch.cat([o[0] for o in outputs]), torch.cat([o[1] for o in outputs])
        if stage == "train":
            total = torch.tensor(sum(o[2] for o in outputs), dtype=torch.float64, device=logits.device)
            if self.trainer.world_size > 1:
                logits, y, total = self.gather_rows(logits), self.gather_rows(y), self.all_gather(total).sum()
            # The mean, over the epoch's samples, of the loss each had before its update.
            loss = (total / len(y)).float()
        else:
            loss = self.loss(logits, y)
        if not torch.isfinite(loss):
            return {f"{stage}/loss": float("nan")}
        values = {"loss": loss, **self.compute_metrics(logits, y)}
        return {f"{stage}/{k}": float(v) for k, v in values.items()}

    def gather_rows(self, t: torch.Tensor) -> torch.Tensor:
        """Every process's rows of t, concatenated (DDP shards may differ in length by one)."""
        sizes = self.all_gather(torch.tensor(len(t), device=t.device)).tolist()
        padded = torch.zeros((max(sizes), *t.shape[1:]), dtype=t.dtype, device=t.device)
        padded[: len(t)] = t
        parts = self.all_gather(padded)
        return torch.cat([part[:k] for part, k in zip(parts, sizes)])

    def on_fit_start(self):
        # A resumed run continues its clock from the last recorded epoch.
        done = self.history[-1]["seconds"] if self.history else 0.0
        self.fit_started = time.perf_counter() - done

    def on_validation_epoch_end(self):
        self.val_metrics = self.epoch_metrics("val")
        self.log_dict(self.val_metrics, sync_dist=True)  # every process evaluated the whole split

    def on_train_epoch_end(self):
        train = self.epoch_metrics("train")
        self.log_dict(train, sync_dist=True)  # already gathered from every process
        lr = self.trainer.optimizers[0].param_groups[0]["lr"] if self.trainer.optimizers else None
        self.history.append({
            "epoch": self.current_epoch,
            "step": int(self.trainer.global_step),
            "seconds": time.perf_counter() - (self.fit_started or time.perf_counter()),
            "lr": float(lr) if lr is not None else None,  # after this epoch's scheduler step: the next epoch's
            **train,
            **self.val_metrics,
        })
        self.val_metrics = {}

    def on_test_epoch_end(self):
        self.test_metrics = self.epoch_metrics("test")
        self.log_dict(self.test_metrics, sync_dist=True)

    def on_save_checkpoint(self, checkpoint):
        # A resumed run's results.json keeps every epoch. One JSON string, not a list of dicts:
        # torch.save runs a Python hook for every object it pickles, and the rows grow each epoch.
        # (Plain data either way, so the checkpoint still loads with weights_only=True.)
        checkpoint["nnref_history"] = json.dumps(self.history)
        checkpoint["nnref_task"] = self.name  # which head to rebuild from hyper_parameters (predict.py)

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
            self.diverged = {"epoch": int(self.current_epoch), "step": int(self.trainer.global_step)}
            self.print(f"nnref: loss became non-finite at epoch {self.diverged['epoch']}, "
                       f"step {self.diverged['step']}; stopping this run (status: diverged)")
        self.trainer.should_stop = True

    # ------------------------------------------------------------ optimizer (and schedule)
    def configure_optimizers(self):
        if self.optimizer_factory is None:
            raise ValueError("no optimizer: pass optimizer=functools.partial(nnref.optim.GD, lr=0.1) or similar")
        opt = self.optimizer_factory(self.parameters())
        if self.scheduler_factory is None:
            return opt
        return {"optimizer": opt, "lr_scheduler": {"scheduler": self.scheduler_factory(opt), "interval": "epoch"}}


def reduce(per_sample: torch.Tensor, reduction: str) -> torch.Tensor:
    """A loss's reduction over samples: "none" (one value per sample), "mean" or "sum"."""
    if reduction == "none":
        return per_sample
    if reduction == "mean":
        return per_sample.mean()
    if reduction == "sum":
        return per_sample.sum()
    raise ValueError(f"reduction={reduction!r}: unknown; valid: none, mean, sum")
