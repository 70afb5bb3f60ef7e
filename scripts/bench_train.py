"""Steps per second of nnref's Trainer path against a plain PyTorch loop and scikit-learn's MLP.

The work (the same for all three): digits, 64 -> 64 -> 10 ReLU, momentum (lr 0.02, 0.9), 20 epochs,
a validation pass after each epoch, for batching=mini (32), stochastic (1) and full. Each runner goes
in turn, several rounds; the table shows median steps/s and the median of per-round ratios. nnref
runs twice: doing the plain loop's work (no log or checkpoint files) and as configured. Last, the
fit time of an empty LightningModule: the least any Trainer path pays.

    python scripts/bench_train.py [--rounds 5] [--epochs 20] [--modes mini,stochastic,full]
"""
from __future__ import annotations

import argparse
import io
import logging
import statistics
import sys
import time
import warnings
from contextlib import redirect_stdout
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)


def datamodule(mode):
    from nnref.data import TaskDataModule

    dm = TaskDataModule(source="digits", task="multiclass", batching=mode, batch_size=32, seed=0)
    dm.setup()
    return dm


def lr_for(mode):
    return 0.02 * (0.1 if mode == "stochastic" else 1.0)  # as conf/batching/stochastic.yaml scales it


def plain_loop(mode, epochs):
    """What a reader would write by hand: slices of in-memory tensors, no framework."""
    from nnref.data import Batches
    from nnref.nets import MLP
    from nnref.optim import Momentum

    torch.manual_seed(0)
    dm = datamodule(mode)
    net = MLP(64, [64], 10, "relu")
    opt = Momentum(net.parameters(), lr=lr_for(mode), momentum=0.9)
    epoch = {"e": 0}
    batches = Batches(dm.x_train, dm.y_train, dm.train_batch_size, shuffle=mode != "full", seed=0,
                      epoch_fn=lambda: epoch["e"])
    steps, start = 0, time.perf_counter()
    for e in range(epochs):
        epoch["e"] = e
        for x, y, _ in batches:
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(net(x), y)
            loss.backward()
            opt.step()
            steps += 1
        with torch.no_grad():  # the validation pass: loss and accuracy on the validation split
            logits = net(dm.x_val)
            torch.nn.functional.cross_entropy(logits, dm.y_val).item(), (logits.argmax(1) == dm.y_val).float().mean().item()
    return steps / (time.perf_counter() - start)


def nnref_trainer(mode, epochs, lean=False, overrides=()):
    """nnref's real path: nnref.train.run with the project's config (checkpoints, csv logger), or
    with lean=True the same work as the plain loop: no log files, no checkpoint files."""
    from conftest import make_cfg
    from nnref.train import run
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        extra = ["logger=none", "~callbacks.model_checkpoint", "~callbacks.lr_monitor"] if lean else []
        cfg = make_cfg(["task=multiclass", "optim=momentum", f"batching={mode}", "model.hidden=[64]",
                        f"trainer.max_epochs={epochs}", *extra, *overrides], tmp)
        with redirect_stdout(io.StringIO()):
            run(cfg)
        results = json.loads((Path(tmp) / "results.json").read_text())
    return results["steps"] / results["fit_seconds"]


def sklearn_mlp(mode, epochs):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    dm = datamodule(mode)
    x, y = dm.x_train.numpy(), dm.y_train.numpy()
    batch = {"mini": 32, "stochastic": 1, "full": len(x)}[mode]
    clf = MLPClassifier(hidden_layer_sizes=(64,), activation="relu", solver="sgd", learning_rate_init=lr_for(mode),
                        momentum=0.9, nesterovs_momentum=False, batch_size=batch, max_iter=epochs, alpha=0.0,
                        tol=0.0, n_iter_no_change=10**9, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        clf.fit(x, y)
        elapsed = time.perf_counter() - start
    steps = epochs * -(-len(x) // batch)
    return steps / elapsed


def steps_of(mode, epochs):
    n = len(datamodule(mode).x_train)
    return epochs * -(-n // {"mini": 32, "stochastic": 1, "full": n}[mode])


def lightning_floor(epochs):
    """Seconds of Trainer.fit for an empty LightningModule, one training item per epoch, nothing else
    (no validation, logger, checkpoints or progress bar): what any Trainer path pays at the least."""
    import lightning as L

    class Empty(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.automatic_optimization = False
            self.layer = torch.nn.Linear(1, 1)

        def training_step(self, batch, batch_idx):
            pass

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    trainer = L.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0)
    start = time.perf_counter()
    trainer.fit(Empty(), train_dataloaders=[torch.zeros(1)])
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--modes", default="mini,stochastic,full")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (nnref runs with 1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    runners = {"plain": plain_loop, "nnref": nnref_trainer,
               "nnref_lean": lambda m, e: nnref_trainer(m, e, lean=True),
               "nnref_every5": lambda m, e: nnref_trainer(m, e, overrides=["callbacks.model_checkpoint.every_n_epochs=5"]),
               "sklearn": sklearn_mlp}
    print(f"digits 64-64-10 ReLU, momentum, {args.epochs} epochs, val each epoch; median of {args.rounds} rounds")
    print("same work = train.run with logger=none and no checkpoint callback (what the plain loop does: train, "
          "validate each epoch); as configured = with the csv logger and best/last checkpoints every epoch; "
          "every 5th = as configured with callbacks.model_checkpoint.every_n_epochs=5\n")
    print("| batching | plain steps/s | nnref, same work | same work/plain | nnref as configured | configured/plain "
          "| every 5th/plain | sklearn steps/s | sklearn/plain |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    plain_seconds = {}
    for mode in args.modes.split(","):
        epochs = max(1, args.epochs // 10) if mode == "stochastic" else args.epochs
        rates = {k: [] for k in runners}
        for _ in range(args.rounds):
            for name, fn in runners.items():
                rates[name].append(fn(mode, epochs))
        ratio = {k: statistics.median(a / b for a, b in zip(rates[k], rates["plain"])) for k in runners}
        med = {k: statistics.median(v) for k, v in rates.items()}
        print(f"| {mode} | {med['plain']:.0f} | {med['nnref_lean']:.0f} | {ratio['nnref_lean']:.2f} | {med['nnref']:.0f} "
              f"| {ratio['nnref']:.2f} | {ratio['nnref_every5']:.2f} | {med['sklearn']:.0f} | {ratio['sklearn']:.2f} |",
              flush=True)
        plain_seconds[mode] = steps_of(mode, epochs) / med["plain"]
    one, many = (statistics.median(lightning_floor(e) for _ in range(args.rounds)) for e in (1, args.epochs))
    per_epoch = (many - one) / (args.epochs - 1)
    print(f"\nLightning's floor (Trainer.fit of an empty LightningModule, one item per epoch, nothing else): "
          f"{1000 * one:.1f} ms for 1 epoch, then {1000 * per_epoch:.2f} ms per epoch.")
    if "full" in plain_seconds:
        plain = plain_seconds["full"]
        print(f"The plain loop's whole full-batch job takes {1000 * plain:.1f} ms ({1000 * plain / args.epochs:.2f} ms "
              f"an epoch): the floor alone caps a Trainer path at {plain / (plain + many):.2f}x of it.")


if __name__ == "__main__":
    main()
