"""Batch GD against mini-batch against stochastic GD on one task (breast_cancer, binary): the same
head, optimizer (GD), lr and epochs through TaskDataModule + a Lightning Trainer; the training loss
against epochs, against updates and against seconds."""

import sys

from _plot import parse_args, save

args = parse_args("batching", __doc__, sys.argv[1:])

import matplotlib.pyplot as plt  # noqa: E402 - after the backend is chosen

from nnref.experiments import batching  # noqa: E402

r = batching.run(epochs=2, hidden=(16,)) if args.quick else batching.run()
s = r["settings"]

fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), sharey=True)
for b in batching.BATCHINGS:
    h = r["history"][b]
    label = f"{b} (batch {h['batch_size']}, {r['updates_per_epoch'][b]} updates/epoch)"
    axes[0].plot(h["epoch"], h["train_loss"], marker="o", ms=3, label=label)
    for ax, x in zip(axes[1:], ("step", "seconds")):  # log axes: from the end of epoch 1 on
        ax.plot(h[x][1:], h["train_loss"][1:], marker="o", ms=3, label=label)
axes[0].set(xlabel="epoch", ylabel="training loss (whole training split)", yscale="log")
axes[1].set(xlabel="updates (optimizer steps), log scale", xscale="log")
axes[2].set(xlabel="seconds of fit, log scale", xscale="log")
axes[0].legend(fontsize=8)
fig.suptitle(
    f"{s['source']} ({s['task']}, n_train={r['n_train']}); {s['optimizer']} "
    f"lr={s['lr']} for all three, {s['epochs']} epochs, hidden {s['hidden']}",
    fontsize=10,
)
fig.tight_layout()
save(fig, r, args.out, "batching")
for b in batching.BATCHINGS:
    print(
        f"{b:<10} updates/epoch={r['updates_per_epoch'][b]:<4} "
        f"final_train_loss={r['final_train_loss'][b]:.4f} fit={r['fit_seconds'][b]:.2f}s"
    )
