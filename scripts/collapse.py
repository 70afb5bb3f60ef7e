"""A hidden layer with the identity activation adds nothing: the identity MLP folds into one Linear
(outputs compared in float64), and on half-moons it draws the same straight boundary as a linear
model while ReLU hidden layers bend it."""

import sys

from _plot import parse_args, save

args = parse_args("collapse", __doc__, sys.argv[1:])

import matplotlib.pyplot as plt  # noqa: E402 - after the backend is chosen
import numpy as np  # noqa: E402

from nnref.experiments import collapse  # noqa: E402

r = collapse.run(epochs=100, grid=40) if args.quick else collapse.run()
s, g = r["settings"], r["regions"]

fig, axes = plt.subplots(1, 3, figsize=(14, 4.4), sharey=True)
pts, cls = np.array(r["points"]["x_test"]), np.array(r["points"]["y_test"])
titles = {
    "linear": "no hidden layer (linear)",
    "identity_hidden": f"hidden {s['hidden']}, identity",
    "relu_hidden": f"hidden {s['hidden']}, ReLU",
}
for ax, (name, title) in zip(axes, titles.items()):
    ax.imshow(
        np.array(g[name]),
        origin="lower",
        extent=(g["lo"], g["hi"], g["lo"], g["hi"]),
        cmap="coolwarm",
        alpha=0.35,
        vmin=0,
        vmax=1,
        aspect="auto",
    )
    ax.scatter(pts[:, 0], pts[:, 1], c=cls, cmap="coolwarm", s=10, edgecolors="k", linewidths=0.3)
    ax.set(title=f"{title}: test acc {r['acc_' + name]:.3f}", xlabel="x1 (standardised)")
axes[0].set_ylabel("x2 (standardised)")
fig.suptitle(
    f"{s['data']}; Adam lr={s['lr']}, {s['epochs']} epochs full "
    f"batch.  Identity MLP {r['fold_hidden']} folded into one "
    f"Linear: max |difference| = {r['max_abs_diff']:.1e} (float64)",
    fontsize=9,
)
fig.tight_layout()
save(fig, r, args.out, "collapse")
print(
    f"max_abs_diff={r['max_abs_diff']:.3e} acc_linear={r['acc_linear']:.4f} "
    f"acc_identity_hidden={r['acc_identity_hidden']:.4f} acc_relu_hidden={r['acc_relu_hidden']:.4f}"
)
