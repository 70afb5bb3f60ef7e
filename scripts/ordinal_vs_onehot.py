"""Coding classes as 1, ..., 0 imposes a false order, one-hot does not: digits with one sigmoid
output trained towards evenly spaced codes (MSE) against one-hot + softmax + cross-entropy,
same body, optimizer and epochs; the two test-set confusion matrices."""

import sys

from _plot import parse_args, save

args = parse_args("ordinal_vs_onehot", __doc__, sys.argv[1:])

import matplotlib.pyplot as plt  # noqa: E402 - after the backend is chosen
import numpy as np  # noqa: E402

from nnref.experiments import ordinal_vs_onehot  # noqa: E402

r = ordinal_vs_onehot.run(epochs=5) if args.quick else ordinal_vs_onehot.run()
s = r["settings"]

fig, axes = plt.subplots(1, 2, figsize=(11, 5))
panels = (
    ("confusion_ordinal", f"ordinal codes 1..0 + sigmoid + MSE: acc {r['acc_ordinal']:.3f}"),
    ("confusion_onehot", f"one-hot + softmax + cross-entropy: acc {r['acc_onehot']:.3f}"),
)
for ax, (key, title) in zip(axes, panels):
    cm = np.array(r[key])
    ax.imshow(cm, cmap="Blues")
    for (i, j), v in np.ndenumerate(cm):
        if v:
            ax.text(
                j,
                i,
                str(v),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if v > cm.max() / 2 else "black",
            )
    ticks = range(len(r["classes"]))
    ax.set(
        xticks=ticks,
        yticks=ticks,
        xticklabels=r["classes"],
        yticklabels=r["classes"],
        xlabel="predicted class",
        ylabel="true class",
        title=title,
    )
    ax.title.set_fontsize(9)
fig.suptitle(
    f"digits test set; {s['optimizer']} lr={s['lr']}, {s['epochs']} epochs, batch "
    f"{s['batch_size']}, hidden {s['hidden']}.  Ordinal errors on a neighbouring code: "
    f"{r['ordinal_errors_to_neighbours']:.0%} (by chance {r['neighbour_share_by_chance']:.0%})",
    fontsize=9,
)
fig.tight_layout()
save(fig, r, args.out, "ordinal_vs_onehot")
print(
    f"acc_ordinal={r['acc_ordinal']:.4f} acc_onehot={r['acc_onehot']:.4f} "
    f"ordinal_errors_to_neighbours={r['ordinal_errors_to_neighbours']:.3f}"
)
