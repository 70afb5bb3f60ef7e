"""Weights do not all change alike: a digits MLP trained with GD, AdaGrad and Adam from the same
start on the same batches; per layer, the quantiles over the weights of the total change |w_end -
w_start|, the mean per-step change, and the gradient RMS (weights whose gradient was always 0
apart)."""

import sys

from _plot import parse_args, save

args = parse_args("weight_changes", __doc__, sys.argv[1:])

import matplotlib.pyplot as plt  # noqa: E402 - after the backend is chosen

from nnref.experiments import weight_changes  # noqa: E402

r = weight_changes.run(epochs=2) if args.quick else weight_changes.run()
s = r["settings"]
COLOUR = {"gd": "k", "adagrad": "tab:green", "rmsprop": "tab:blue", "adam": "tab:purple"}
MEASURES = {
    "total_change": "|w_end − w_start| after training",
    "step_change": "mean |Δw| per update",
    "grad_rms": "gradient RMS over the updates",
}
layers = list(next(iter(r["runs"].values()))["layers"])

fig, axes = plt.subplots(1, 3, figsize=(17, 4.8), sharey=True)
for ax, (measure, label) in zip(axes, MEASURES.items()):
    ticks = []
    for i, (name, run) in enumerate(r["runs"].items()):
        for j, layer in enumerate(layers):
            row = i * (len(layers) + 1) + j
            q = r["quantiles"][name][layer][measure]
            ax.plot([q["0"], q["1"]], [row, row], color=COLOUR[name], lw=1)  # min to max
            # 10th to 90th percentile.
            ax.plot(
                [q["0.1"], q["0.9"]],
                [row, row],
                color=COLOUR[name],
                lw=6,
                alpha=0.5,
                solid_capstyle="butt",
            )
            ax.plot(q["0.5"], row, "|", color="w", ms=8, mew=2)  # median
            spread = run["layers"][layer][f"{measure}_spread"]
            ax.annotate(
                f"×{spread:.1f}",
                (q["1"], row),
                xytext=(4, -3),
                textcoords="offset points",
                fontsize=8,
            )
            ticks.append((row, f"{name} {layer} ({run['layers'][layer]['n_weights']} w)"))
    ax.set_xscale("log")
    ax.set_yticks([t for t, _ in ticks], [text for _, text in ticks], fontsize=8)
    ax.invert_yaxis()
    ax.set(
        xlabel=label + " (log scale)",
        title=f"{measure}: min–max line, 10th–90th percentile bar, median tick;\n"
        "×: 90th over 10th percentile",
    )
    ax.title.set_fontsize(9)
    ax.margins(x=0.15)
zero = ", ".join(
    f"{n} in {layer}"
    for layer in layers[:-1]
    if (n := next(iter(r["runs"].values()))["layers"][layer]["always_zero_grad"])
)
lrs = ", ".join(f"{name} {lr:g}" for name, lr in s["lr"].items())
fig.suptitle(
    f"digits (multiclass), MLP hidden {s['hidden']}, {s['epochs']} epochs of mini-batches "
    f"of {s['batch_size']}; lr: {lrs}.  Left out: weights whose gradient was always 0 "
    f"({zero or 'none'}; {r['blank_pixels']} pixels are blank in every training image)",
    fontsize=10,
)
fig.tight_layout()
save(fig, r, args.out, "weight_changes")
print("90th over 10th percentile (spread) of total_change / step_change / grad_rms, per layer")
for name, run in r["runs"].items():
    cells = "  ".join(
        f"{layer} {run['layers'][layer]['total_change_spread']:.1f}/"
        f"{run['layers'][layer]['step_change_spread']:.1f}/"
        f"{run['layers'][layer]['grad_rms_spread']:.1f}"
        for layer in layers
    )
    print(f"{name:<8} test_acc={run['test_acc']:.3f}  {cells}")
