"""The four task heads: each an output activation, the torch loss that matches it, and its metrics.

| head        | output layer    | activation         | loss (torch)                                   |
|-------------|-----------------|--------------------|------------------------------------------------|
| regression  | Linear(h, T)    | identity           | MSELoss                                        |
| binary      | Linear(h, 1)    | sigmoid            | BCEWithLogitsLoss                              |
| multiclass  | Linear(h, K)    | softmax            | CrossEntropyLoss (on class indices = one-hot)  |
| multilabel  | Linear(h, L)    | sigmoid per label  | BCEWithLogitsLoss summed over labels           |

The course's deliberately wrong pairings are options of the same heads (`loss="mse"` on a
sigmoid/softmax, `encoding="ordinal"`, regression `output="sigmoid"`), so experiments compare like
with like. Losses take logits where torch has the fused form; `predict` applies the activation.

Speed: nothing is logged per step. Each step appends its detached logits to a list; metrics are
computed once per epoch from the concatenation (with nnref.metrics), and the validation pass runs
at the end of each training epoch inside this module, not through Lightning's validation loop.
"""
from __future__ import annotations

import json
import math
import time
import warnings

import lightning as L
import torch
from torch import nn
from torch.nn import functional as F

from . import metrics as M
from .data.encoding import encoder_from_dict
from .nets import MLP


# The Trainer sees one training item per epoch (see training_step), fewer than its logging interval.
warnings.filterwarnings("ignore", message=".*smaller than the logging interval.*")
# Validation and test metrics are computed on the whole split in every DDP process: nothing to sync.
warnings.filterwarnings("ignore", message=".*when logging on epoch level in distributed setting.*")
# transfer_batch_to_device below is meant to win over the data module's default.
warnings.filterwarnings("ignore", message=".*overridden `transfer_batch_to_device`.*")
# Resuming a run writes into its own checkpoints folder again, which is what we want.
warnings.filterwarnings("ignore", message=".*Checkpoint directory .* exists and is not empty.*")


EVAL_MODE_LAYERS = (nn.modules.dropout._DropoutNd, nn.modules.batchnorm._NormBase)


class TaskModule(L.LightningModule):
    task = "base"
    losses: tuple = ("ce",)

    def __init__(self, n_inputs: int, n_outputs: int, hidden=(64,), activation: str = "relu", loss: str | None = None,
                 optimizer=None, scheduler=None, encoders: dict | None = None, **options):
        super().__init__()
        loss = loss or self.losses[0]
        if loss not in self.losses:
            raise ValueError(f"task.loss={loss}: not valid for task={self.task}; valid: {', '.join(self.losses)}")
        # Not sent to the loggers: the csv logger's hparams.yaml (the encoders included) cost 25 ms a
        # fit; the run's whole config is in .hydra/config.yaml and the checkpoint keeps these.
        self.save_hyperparameters(ignore=["optimizer", "scheduler"], logger=False)
        self.automatic_optimization = False  # the epoch's updates run in training_step
        self.net = MLP(n_inputs, hidden, n_outputs, activation)
        # Switching to eval mode for each validation pass only changes layers like these; the MLP
        # has none, and the switch (a walk over every submodule, twice) is skipped for it.
        self._eval_mode_matters = any(isinstance(m, EVAL_MODE_LAYERS) for m in self.net.modules())
        self.loss_name = loss
        self.optimizer_factory, self.scheduler_factory = optimizer, scheduler
        self.encoders = {k: encoder_from_dict(v) for k, v in (encoders or {}).items()}
        self._outputs = {"train": [], "test": []}
        self.history: list[dict] = []  # one row per epoch: epoch, step, seconds, train/loss, val/...
        self._history_json: list[str] = []  # each row as JSON, made once (see on_save_checkpoint)
        self.test_metrics: dict = {}
        self.diverged: dict | None = None
        self._fit_start = None

    # ------------------------------------------------------------------ what each head defines
    def sample_losses(self, logits, y) -> torch.Tensor:
        """Loss of each sample (shape [n]); its mean is the torch loss the head names."""
        raise NotImplementedError

    def predict(self, logits) -> torch.Tensor:
        """Outputs after the output activation (probabilities, or values in original units)."""
        raise NotImplementedError

    def compute_metrics(self, logits, y) -> dict:
        raise NotImplementedError

    # ------------------------------------------------------------------ the network
    def forward(self, x):
        return self.net(x)

    def loss(self, logits, y):
        """The batch's mean loss. Heads override it with torch's own reduction, which is one fused
        op where `sample_losses(...).mean()` takes three (~30 us more a step, forward and backward)."""
        return self.sample_losses(logits, y).mean()

    # ------------------------------------------------------------------ steps
    def training_step(self, batches, batch_idx):
        """Run through `batches`: the whole epoch's mini-batches in one call (one per call under DDP).

        Lightning's per-batch machinery (hooks, callbacks, batch transfer, logging checks) costs more
        than a whole step of these small nets, so the Trainer sees one item per epoch and the updates
        happen here, each through Lightning's optimizer wrapper (global_step, checkpoints and resume
        count every one). The gradient is taken inside a closure, which NAG evaluates at its
        look-ahead point."""
        opt = self.optimizers()
        world = self.trainer.world_size
        params = [p for group in opt.param_groups for p in group["params"]]
        for x, y, n in batches:
            x, y = x.to(self.device), y.to(self.device)
            # Under DDP this process holds len(y) of the global batch's n rows: weighting its mean
            # loss by its share makes the averaged gradient exactly the single-process one.
            share = len(y) * world / n
            seen = {}

            def closure():
                for p in params:  # zero_grad without torch's per-call dynamo guard
                    p.grad = None
                logits = self.net(x)  # = self(x), less one Module call
                loss = self.loss(logits, y)
                finite = math.isfinite(loss.item())
                if "loss" not in seen:  # the step's record: its first evaluation (NAG's look-ahead)
                    seen.update(loss=loss.detach(), logits=logits.detach(), finite=finite)
                if not finite:
                    return loss  # no backward: every grad stays None, so the step moves nothing
                if world > 1:
                    self.manual_backward(loss * share)  # DDP needs Lightning's hook to sync the gradients
                else:
                    loss.backward()
                return loss

            # = opt.step(closure) without the strategy/precision layers, whose only per-step work here
            # would be the on_before_optimizer_step hooks nobody uses (manual optimization has no
            # gradient clipping to apply); the two calls keep Lightning's step count and profiler.
            opt._on_before_step()
            opt.optimizer.step(closure)
            opt._on_after_step()
            if not seen["finite"]:
                self._stop_diverged()
                return
            self._outputs["train"].append((seen["logits"], y, seen["loss"]))

    def test_step(self, batch, batch_idx):
        x, y, _ = batch
        self._outputs["test"].append((self(x), y, None))

    # ------------------------------------------------------------------ once per epoch
    def _epoch_metrics(self, stage: str) -> dict:
        outputs, self._outputs[stage] = self._outputs[stage], []
        if not outputs:
            return {}
        logits = torch.cat([o[0] for o in outputs]) if len(outputs) > 1 else outputs[0][0]
        y = torch.cat([o[1] for o in outputs]) if len(outputs) > 1 else outputs[0][1]
        if stage == "train":
            # The mean over the epoch's samples of the loss each saw before its update.
            sizes = torch.tensor([len(o[1]) for o in outputs], dtype=logits.dtype)
            total = torch.stack([o[2] for o in outputs]) @ sizes
            if self.trainer.world_size > 1:  # each process saw its own shard: metrics over all of them
                logits, y, total = gather_rows(logits), gather_rows(y), gather_rows(total.view(1)).sum()
            loss = total / len(y)
        else:
            loss = self.loss(logits, y)
        return self._metrics(stage, loss, logits, y)

    def _metrics(self, stage: str, loss, logits, y) -> dict:
        if not math.isfinite(loss):  # a non-finite output makes the loss non-finite too
            return {f"{stage}/loss": float("nan")}
        metrics = {"loss": loss, **self.compute_metrics(logits, y)}
        values = torch.stack([v.double() for v in metrics.values()]).tolist()  # one sync, not one per value
        return {f"{stage}/{k}": v for k, v in zip(metrics, values)}

    @torch.no_grad()
    def validate(self) -> dict:
        """The validation pass: the whole validation split in one forward, in eval mode.

        It runs here, at the end of each training epoch, rather than through Lightning's validation
        loop, whose per-epoch setup cost more than a full-batch training step (~0.8 ms an epoch).
        Every process evaluates the whole split, so nothing needs syncing under DDP."""
        dm = self.trainer.datamodule
        if getattr(dm, "x_val", None) is None:
            raise ValueError("TaskModule validates on trainer.datamodule.x_val / y_val: fit it with an "
                             "nnref.data.TaskDataModule (datamodule=...), not with bare dataloaders")
        x, y = dm.x_val.to(self.device), dm.y_val.to(self.device)
        if not self._eval_mode_matters:
            logits = self.net(x)
        else:
            was_training = self.training
            self.eval()
            logits = self.net(x)
            self.train(was_training)
        return self._metrics("val", self.loss(logits, y), logits, y)

    def _validates_this_epoch(self) -> bool:
        """As Lightning would: every check_val_every_n_epoch epochs, and never with limit_val_batches=0."""
        trainer = self.trainer
        every = trainer.check_val_every_n_epoch or 1
        return bool(trainer.limit_val_batches) and (self.current_epoch + 1) % every == 0

    def _log(self, metrics: dict):
        """Once per epoch, without `self.log` (its first call cost 14 ms and each later one ~1 ms here):
        the metrics go straight to the loggers and into `trainer.callback_metrics`, where
        ModelCheckpoint reads the val/loss it monitors."""
        if not metrics:
            return
        self.trainer.callback_metrics.update({k: torch.tensor(v) for k, v in metrics.items()})
        for logger in self.loggers:
            logger.log_metrics(metrics, step=self.trainer.global_step)

    def on_fit_start(self):
        # A resumed run continues its clock from the last recorded epoch.
        done = self.history[-1]["seconds"] if self.history else 0.0
        self._fit_start = time.perf_counter() - done

    def on_save_checkpoint(self, checkpoint):
        # Plain data only (floats, ints, strings), so the checkpoint still loads with weights_only=True.
        # One JSON string rather than a list of dicts: torch.save runs a Python hook for every object
        # it pickles, and the growing rows had become most of the cost of each epoch's checkpoint.
        done = self._history_json
        done.extend(json.dumps(row) for row in self.history[len(done):])
        checkpoint["nnref_history"] = "[" + ",".join(done) + "]"

    def on_load_checkpoint(self, checkpoint):
        # Only a resumed fit takes the history back; testing the best checkpoint keeps the full one.
        trainer = self._trainer
        if trainer is None or trainer.state.fn == "fit":
            rows = checkpoint.get("nnref_history", [])
            self.history = json.loads(rows) if isinstance(rows, str) else list(rows)  # a list in older checkpoints
            self._history_json = []

    def on_train_epoch_end(self):
        # Lightning runs this before ModelCheckpoint's hook, so the checkpoint sees this epoch's val/loss.
        val = self.validate() if self._validates_this_epoch() else {}
        # Epoch schedulers step here (manual optimization), before the epoch's row and checkpoint.
        schedulers = self.lr_schedulers()
        for scheduler in schedulers if isinstance(schedulers, list) else [schedulers] if schedulers else []:
            scheduler.step()
        train = self._epoch_metrics("train")
        self._log({**train, **val})  # one row per epoch in the csv log
        lr = self.trainer.optimizers[0].param_groups[0]["lr"] if self.trainer.optimizers else None
        self.history.append({
            "epoch": self.current_epoch,
            "step": int(self.trainer.global_step),
            "seconds": time.perf_counter() - (self._fit_start or time.perf_counter()),
            "lr": float(lr) if lr is not None else None,
            **train,
            **val,
        })

    def on_test_epoch_end(self):
        self.test_metrics = self._epoch_metrics("test")
        self._log(self.test_metrics)

    def _stop_diverged(self):
        if self.diverged is None:
            self.diverged = {"epoch": int(self.current_epoch), "step": int(self.trainer.global_step)}
            self.print(f"nnref: loss became non-finite at epoch {self.diverged['epoch']}, "
                       f"step {self.diverged['step']}; stopping this run (status: diverged)")
        self.trainer.should_stop = True

    # ------------------------------------------------------------------ optimizer (and schedule)
    def configure_optimizers(self):
        if self.optimizer_factory is None:
            raise ValueError("no optimizer: pass optimizer=functools.partial(nnref.optim.GD, lr=0.1) or similar")
        opt = self.optimizer_factory(self.parameters())
        if self.scheduler_factory is None:
            return opt
        return {"optimizer": opt, "lr_scheduler": {"scheduler": self.scheduler_factory(opt), "interval": "epoch"}}

    def transfer_batch_to_device(self, batch, device, dataloader_idx):
        # Training items are whole epochs of batches (moved one batch at a time in training_step);
        # evaluation batches are (x, y, n) tuples.
        if isinstance(batch, tuple):
            return tuple(b.to(device) if torch.is_tensor(b) else b for b in batch)
        return batch


class RegressionModule(TaskModule):
    """Linear output + MSE. `output="sigmoid"` is the course's variant: the target is rescaled to 0..1
    for training (by the data module's min-max scaler) and metrics are reported in original units."""

    task = "regression"
    losses = ("mse",)
    outputs = ("identity", "sigmoid")

    def __init__(self, *args, output: str = "identity", **kwargs):
        if output not in self.outputs:
            raise ValueError(f"task.output={output}: unknown; valid: {', '.join(self.outputs)}")
        super().__init__(*args, output=output, **kwargs)
        self.output = output
        self.mse = nn.MSELoss(reduction="none")

    def activation(self, logits):
        return torch.sigmoid(logits) if self.output == "sigmoid" else logits

    def sample_losses(self, logits, y):
        return self.mse(self.activation(logits), y).mean(dim=1)

    def loss(self, logits, y):
        return F.mse_loss(self.activation(logits), y)

    def to_original_units(self, z):
        scaler = self.encoders.get("target")
        return scaler.decode(z) if scaler is not None else z

    def predict(self, logits):
        return self.to_original_units(self.activation(logits))

    def compute_metrics(self, logits, y):
        pred, true = self.predict(logits), self.to_original_units(y)
        return {"mse": M.mean_squared_error(pred, true), "r2": M.r2_score(pred.squeeze(-1), true.squeeze(-1))}


class BinaryModule(TaskModule):
    """Sigmoid + cross-entropy (BCEWithLogitsLoss). `loss="mse"`: sigmoid then MSE (the course's stall)."""

    task = "binary"
    losses = ("ce", "mse")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.criterion = nn.BCEWithLogitsLoss(reduction="none") if self.loss_name == "ce" else nn.MSELoss(reduction="none")

    def sample_losses(self, logits, y):
        out = logits if self.loss_name == "ce" else torch.sigmoid(logits)
        return self.criterion(out, y).squeeze(1)

    def loss(self, logits, y):
        if self.loss_name == "ce":
            return F.binary_cross_entropy_with_logits(logits, y)
        return F.mse_loss(torch.sigmoid(logits), y)

    def predict(self, logits):
        return torch.sigmoid(logits).squeeze(1)

    def compute_metrics(self, logits, y):
        p, t = self.predict(logits), y.squeeze(1).long()
        return {"acc": M.binary_accuracy(p, t), "auroc": M.binary_auroc(p, t)}


class MulticlassModule(TaskModule):
    """Softmax + cross-entropy (CrossEntropyLoss). Variants: `loss="mse"` on the softmax outputs against
    one-hot targets, and `encoding="ordinal"` (with `loss="mse"`): one sigmoid output trained towards
    the codes 1, ..., 0 — the false order the course warns about."""

    task = "multiclass"
    losses = ("ce", "mse")
    encodings = ("onehot", "ordinal")

    def __init__(self, *args, encoding: str = "onehot", **kwargs):
        if encoding not in self.encodings:
            raise ValueError(f"task.encoding={encoding}: unknown; valid: {', '.join(self.encodings)}")
        if encoding == "ordinal" and (kwargs.get("loss") or "ce") != "mse":
            raise ValueError("task.encoding=ordinal needs task.loss=mse (one sigmoid output trained towards the "
                             "codes 1..0); valid pairs: onehot+ce, onehot+mse, ordinal+mse")
        super().__init__(*args, encoding=encoding, **kwargs)
        self.encoding = encoding
        self.n_classes = self.hparams.n_outputs
        if encoding == "ordinal":
            target = self.encoders.get("target")
            n = len(target.classes) if target is not None else 2
            self.n_classes = n
            self.register_buffer("codes", torch.linspace(1.0, 0.0, n), persistent=False)
        self.criterion = nn.CrossEntropyLoss(reduction="none") if self.loss_name == "ce" else nn.MSELoss(reduction="none")

    def sample_losses(self, logits, y):
        if self.loss_name == "ce":
            return self.criterion(logits, y)
        if self.encoding == "ordinal":
            return self.criterion(torch.sigmoid(logits).squeeze(1), self.codes[y])
        one_hot = torch.nn.functional.one_hot(y, logits.shape[1]).to(logits.dtype)
        return self.criterion(torch.softmax(logits, dim=1), one_hot).mean(dim=1)

    def loss(self, logits, y):
        if self.loss_name == "ce":
            return F.cross_entropy(logits, y)
        if self.encoding == "ordinal":
            return F.mse_loss(torch.sigmoid(logits).squeeze(1), self.codes[y])
        return F.mse_loss(torch.softmax(logits, dim=1), F.one_hot(y, logits.shape[1]).to(logits.dtype))

    def predict(self, logits):
        """Class probabilities; for the ordinal code, a one-hot of the nearest code."""
        if self.encoding == "ordinal":
            nearest = (torch.sigmoid(logits) - self.codes[None, :]).abs().argmin(dim=1)
            return torch.nn.functional.one_hot(nearest, self.n_classes).to(logits.dtype)
        return torch.softmax(logits, dim=1)

    def compute_metrics(self, logits, y):
        # The softmax is monotonic, so the most probable class is the largest logit; skipping it saves
        # more than the metrics cost (torch's softmax over 10 classes took ~0.2 ms on 1,257 rows here).
        pred = logits.argmax(dim=1) if self.encoding == "onehot" else self.predict(logits).argmax(dim=1)
        acc, f1 = M.multiclass_accuracy_f1(pred, y, self.n_classes)
        return {"acc": acc, "f1_macro": f1}


class MultilabelModule(TaskModule):
    """An independent sigmoid per label; the loss is the sum of the labels' binary cross-entropies
    (mean over samples). The outputs need not sum to 1."""

    task = "multilabel"
    losses = ("ce",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.criterion = nn.BCEWithLogitsLoss(reduction="none")

    def sample_losses(self, logits, y):
        return self.criterion(logits, y).sum(dim=1)

    def loss(self, logits, y):
        return F.binary_cross_entropy_with_logits(logits, y, reduction="sum") / len(y)

    def predict(self, logits):
        return torch.sigmoid(logits)

    def compute_metrics(self, logits, y):
        f1, exact = M.multilabel_f1_exact_match(self.predict(logits), y.long())
        return {"f1_macro": f1, "exact_match": exact}


def gather_rows(t: torch.Tensor) -> torch.Tensor:
    """Concatenate a tensor's rows from every DDP process (shards may differ in length by one)."""
    import torch.distributed as dist

    n = torch.tensor([len(t)])
    sizes = [torch.zeros_like(n) for _ in range(dist.get_world_size())]
    dist.all_gather(sizes, n)
    longest = int(max(sizes))
    padded = torch.zeros((longest, *t.shape[1:]), dtype=t.dtype)
    padded[: len(t)] = t
    parts = [torch.zeros_like(padded) for _ in sizes]
    dist.all_gather(parts, padded)
    return torch.cat([p[: int(k)] for p, k in zip(parts, sizes)])


MODULES = {m.task: m for m in (RegressionModule, BinaryModule, MulticlassModule, MultilabelModule)}
