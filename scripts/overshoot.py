"""Momentum can overshoot: GD, Momentum and NAG (gamma 0.5, 0.9, 0.99) from the same start with the
same lr on a 1-D quadratic and on the ravine; how far each gets past the minimum along its approach,
and when it settles within tol."""

import sys

from _plot import parse_args, save

args = parse_args("overshoot", __doc__, sys.argv[1:])

import matplotlib.pyplot as plt  # noqa: E402 - after the backend is chosen
import numpy as np  # noqa: E402
import torch  # noqa: E402

from nnref.experiments import overshoot  # noqa: E402

r = overshoot.run(steps=300) if args.quick else overshoot.run(steps=2000)
labels = [label for label, _, _ in overshoot.runs()]
COLOUR = {
    "gd": "k",
    "momentum_0.5": "#f4a582",
    "momentum_0.9": "#d6604d",
    "momentum_0.99": "#67001f",
    "nag_0.5": "#92c5de",
    "nag_0.9": "#4393c3",
    "nag_0.99": "#053061",
}


def legend_label(label):
    return (
        "GD"
        if label == "gd"
        else label.replace("_", " γ=").replace("momentum", "Momentum").replace("nag", "NAG")
    )


fig, axes = plt.subplots(2, 2, figsize=(14, 9), gridspec_kw={"height_ratios": [3, 2]})

# 1-D quadratic: x against step; past 0 is past the minimum (the approach is from the left).
ax = axes[0, 0]
q = r["quadratic"]
for label in labels:
    x = np.array(q["path"][label])[:, 0]
    ax.plot(range(len(x)), x, color=COLOUR[label], lw=1.3, label=legend_label(label))
ax.axhline(0, color="grey", lw=0.8)
ax.axhspan(0, 1.05, color="tab:red", alpha=0.06)
ax.text(len(x) - 1, 1.0, "past the minimum", ha="right", va="top", fontsize=8, color="tab:red")
ax.set(
    xlabel="step",
    ylabel="x (minimum at 0, start at −1)",
    ylim=(-1.05, 1.05),
    title=f"quadratic {q['settings']['formula']}, lr={q['settings']['lr']} for all: the first "
    f"{len(x) - 1} steps",
)
ax.legend(fontsize=8, ncol=2, loc="lower right")

# Ravine: the paths over its contours.
ax = axes[0, 1]
rv = r["ravine"]
gx, gy = torch.meshgrid(
    torch.linspace(-9, 9, 300, dtype=torch.float64),
    torch.linspace(-1.6, 1.6, 300, dtype=torch.float64),
    indexing="xy",
)
z = overshoot.PROBLEMS["ravine"]["f"](torch.stack([gx, gy])).numpy()
ax.contour(gx.numpy(), gy.numpy(), np.log10(z + 1e-3), levels=20, cmap="Greys", linewidths=0.5)
for label in ("gd", "momentum_0.9", "nag_0.9"):
    path = np.array(rv["path"][label])
    ax.plot(
        path[:, 0],
        path[:, 1],
        "-",
        marker=".",
        ms=2,
        lw=1,
        color=COLOUR[label],
        label=legend_label(label),
    )
start = np.array(rv["settings"]["start"])
ax.plot(*start, "k*", ms=12)
# Past the minimum = beyond the line through it at right angles to the approach (start -> minimum).
d = -start / np.linalg.norm(start)
ax.plot(
    [-1.6 * d[1] / d[0], 1.6 * d[1] / d[0]],
    [-1.6, 1.6],
    color="tab:red",
    ls="--",
    lw=1,
    label="through the minimum, at right angles to the approach",
)
ax.set(
    xlim=(-9, 9),
    ylim=(-1.6, 1.6),
    xlabel="x",
    ylabel="y",
    title=f"ravine {rv['settings']['formula']}, lr={rv['settings']['lr']} for all: the first "
    f"{len(path) - 1} steps; right of the red line is past the minimum",
)
ax.legend(fontsize=8, loc="lower left")

# The numbers: max_overshoot per optimizer, labelled with steps_to_tol.
for ax, name in zip(axes[1], ("quadratic", "ravine")):
    res = r[name]
    values = [res["max_overshoot"][label] for label in labels]
    bars = ax.bar(range(len(labels)), values, color=[COLOUR[label] for label in labels])
    for bar, label in zip(bars, labels):
        settled = res["steps_to_tol"][label]
        text = f">{res['settings']['steps']}" if settled is None else str(settled)
        ax.annotate(
            text,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xticks(
        range(len(labels)), [legend_label(label) for label in labels], rotation=20, fontsize=8
    )
    ax.set(
        ylabel="max_overshoot (distance past the minimum)",
        title=f"{name}: max_overshoot per optimizer\nabove a bar: steps_to_tol, from when it stays "
        f"within {res['settings']['tol']:g} of the minimum ({res['settings']['steps']} steps run)",
    )
    ax.title.set_fontsize(9)
for ax in axes[0]:
    ax.title.set_fontsize(9)
fig.tight_layout()
save(fig, r, args.out, "overshoot")


def settled(res, label):
    steps = res["steps_to_tol"][label]
    return "null" if steps is None else str(steps)


print(f"{'':<14} {'quadratic':>26}   {'ravine':>26}")
print(f"{'':<14} {'max_overshoot steps_to_tol':>26}   {'max_overshoot steps_to_tol':>26}")
for label in labels:
    cells = "   ".join(
        f"{r[name]['max_overshoot'][label]:>13.3g} {settled(r[name], label):>12}"
        for name in ("quadratic", "ravine")
    )
    print(f"{label:<14} {cells}")
