"""Does SGD suffer more on noisy data? Digits with 0 %, 10 % and 30 % of the training labels flipped
(test labels clean); the same MLP, GD lr and epochs with batching full, mini and stochastic; the
final test accuracy, its course over the epochs, and the spread of the rows' gradients."""

import sys

from _plot import parse_args, save

args = parse_args("label_noise", __doc__, sys.argv[1:])

import matplotlib.pyplot as plt  # noqa: E402 - after the backend is chosen
import numpy as np  # noqa: E402

from nnref.experiments import label_noise  # noqa: E402

r = label_noise.run(noise=(0.0, 0.3), epochs=2) if args.quick else label_noise.run(seeds=range(5))
s = r["settings"]
levels = [str(f) for f in s["noise"]]
pct = [100 * f for f in s["noise"]]
COLOUR = {"full": "k", "mini": "tab:blue", "stochastic": "tab:red"}

fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
ax = axes[0]
for b in label_noise.BATCHINGS:
    per_seed = np.array([r["final_test_acc_per_seed"][b][f] for f in levels])  # noise level x seed
    mean = per_seed.mean(axis=1)
    ax.errorbar(
        pct,
        mean,
        yerr=[mean - per_seed.min(axis=1), per_seed.max(axis=1) - mean],
        marker="o",
        capsize=4,
        color=COLOUR[b],
        label=f"{b} ({r['updates_per_epoch'][b]} per epoch): drop {r['drop'][b]:.3f}",
    )
ax.set(
    xlabel="training labels flipped (%)",
    ylabel="final test accuracy (clean test labels)",
    ylim=(0, 1.02),
    title=f"mean over seeds {s['seeds']}; bars: lowest to highest seed",
)
ax.legend(fontsize=8, loc="center right")
ax.annotate(
    f"full: {s['epochs']} updates in {s['epochs']} epochs, not trained yet",
    (pct[-1], 0.25),
    ha="right",
    fontsize=8,
)

ax = axes[1]
for b in ("mini", "stochastic"):
    for f, style in zip(levels, ("-", "--", ":")):
        curve = r["test_acc_history"][b][f]
        ax.plot(
            range(1, len(curve) + 1),
            curve,
            style,
            marker="o",
            ms=3,
            color=COLOUR[b],
            label=f"{b}, {100 * float(f):g} % flipped",
        )
ax.set(
    xlabel="epoch",
    ylabel="test accuracy",
    title=f"after each epoch (seed {s['seeds'][0]})",
    xticks=range(1, s["epochs"] + 1),
)
ax.legend(fontsize=8, ncol=2)

ax = axes[2]
variance = [r["gradient_variance"][f] for f in levels]
ax.bar(
    [f"{p:g} %" for p in pct],
    variance,
    color="tab:grey",
    label="tr(S): one stochastic step's noise",
)
ax.bar(
    [f"{p:g} %" for p in pct],
    [v / s["batch_size_mini"] for v in variance],
    color="tab:blue",
    width=0.5,
    label=f"tr(S)/{s['batch_size_mini']}: one mini-batch step's noise",
)
ax.set(
    xlabel="training labels flipped",
    ylabel="tr(S) of the rows' gradients (log scale)",
    yscale="log",
    title="more flipped labels, more disagreeing gradients\n"
    "(at the mini-batch run's final weights)",
)
ax.set_ylim(top=8 * max(variance))  # room for the legend above the bars
ax.legend(fontsize=8)
for ax in axes:
    ax.title.set_fontsize(9)
fig.suptitle(
    f"digits (multiclass, n_train={r['n_train']}), MLP hidden {s['hidden']}; {s['optimizer']} "
    f"lr={s['lr']} for all, {s['epochs']} epochs each, mini-batches of {s['batch_size_mini']}",
    fontsize=10,
)
fig.tight_layout()
save(fig, r, args.out, "label_noise")
for b in label_noise.BATCHINGS:
    cells = " ".join(f"{100 * float(f):g}%={r['final_test_acc'][b][f]:.3f}" for f in levels)
    print(f"{b:<10} final_test_acc {cells}  drop={r['drop'][b]:.3f}")
