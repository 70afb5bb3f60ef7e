"""Learning rates over time and per weight: a constant lr against step decay, the per-weight step
sizes of AdaGrad, RMSProp and Adam next to GD's single lr, and the course's momentum against
torch's at an lr drop."""

import sys

from _plot import parse_args, save

args = parse_args("learning_rates", __doc__, sys.argv[1:])

import matplotlib.pyplot as plt  # noqa: E402 - after the backend is chosen

from nnref.experiments import learning_rates  # noqa: E402

r = learning_rates.run(quick=args.quick)
sched, per_weight, mom = r["schedule"], r["per_weight"], r["momentum"]

fig, axes = plt.subplots(3, 2, figsize=(12, 10.5))

# 1. constant against decaying lr, the lr on a second axis
ax = axes[0, 0]
s = sched["settings"]
colors = {"constant": "tab:red", "decay": "tab:blue"}
lr_ax = ax.twinx()
for name, run in sched["runs"].items():
    epochs = range(1, len(run["val_loss"]) + 1)
    ax.plot(
        epochs,
        run["val_loss"],
        color=colors[name],
        label=f"{name} lr: final val loss {run['val_loss'][-1]:.3f}",
    )
    lr_ax.step(epochs, run["lr"], where="post", color=colors[name], ls=":", lw=1)
all_lr = [v for run in sched["runs"].values() for v in run["lr"]]
lr_ax.set(
    yscale="log",
    ylabel="lr each epoch trains with (dotted)",
    ylim=(min(all_lr) / 2, max(all_lr) * 2),
)
ax.set(
    xlabel="epoch",
    ylabel="validation loss (MSE)",
    title=f"{s['source']}, linear model, GD lr={s['lr']} batch {s['batch_size']}; "
    f"decay: ×{s['gamma']} every {s['step_size']} epochs",
)
ax.legend(fontsize=8, loc="center right")

# 2. per-weight step sizes, one panel per adaptive optimizer
gd_lr = per_weight["lr"]["gd"]
edges = [10**e for e in per_weight["log10_bin_edges"]]
last = str(max(per_weight["settings"]["epochs"]))
for ax, name in zip(axes[:, 1], ("adagrad", "rmsprop", "adam")):
    skipped = per_weight["never_updated"][name][last]
    for epoch, counts in per_weight["histogram"][name].items():
        st = per_weight["by_epoch"][name][epoch]
        ax.stairs(counts, edges, label=f"after epoch {epoch}: median {st['median']:.3g}")
    ax.axvline(gd_lr, color="black", lw=1.5, label=f"GD: every weight {gd_lr:g}")
    ax.axvline(
        per_weight["lr"][name],
        color="grey",
        ls=":",
        lw=1,
        label=f"its own lr η = {per_weight['lr'][name]:g}",
    )
    ax.set(
        xscale="log",
        ylabel="weights",
        title=f"{name}: step size of each of {per_weight['n_weights'] - skipped} weights "
        f"({skipped} never had a gradient)",
    )
    ax.legend(fontsize=7, loc="upper left")
axes[2, 1].set_xlabel(
    "step size per weight: η/(√s+ε) AdaGrad, η/(√v+ε) RMSProp, η/(√v̂+ε) Adam (log)"
)

# 3. the course's momentum against torch's at the drop
m = mom["settings"]
steps = range(1, len(mom["param_gap"]) + 1)
ax = axes[1, 0]
ax.plot(steps, mom["step_length"]["course"], label="course: m ← γm + ηg; w ← w − m")
ax.plot(steps, mom["step_length"]["torch"], ls="--", label="torch: b ← γb + g; w ← w − ηb")
ax.axvline(mom["drop_step"] + 0.5, color="grey", ls=":", lw=1)
ax.set(
    yscale="log",
    xlabel="step",
    ylabel="|Δw| per step",
    title=f"{m['source']}, MLP {m['hidden']}, float64: momentum {m['momentum']}, lr {m['lr']} "
    f"×{m['gamma']} after epoch {m['drop_epoch']}",
)
ax.legend(fontsize=8)
ax = axes[2, 0]
ax.plot(steps, [max(g, 1e-18) for g in mom["param_gap"]], color="tab:purple")
ax.axvline(mom["drop_step"] + 0.5, color="grey", ls=":", lw=1)
ax.set(
    yscale="log",
    xlabel="step",
    ylabel="max |w_course − w_torch|",
    title=f"gap: {r['max_param_gap_before_drop']:.1e} before the drop, "
    f"{r['max_param_gap_after_drop']:.3f} after",
)
fig.tight_layout()
save(fig, r, args.out, "learning_rates")
print(
    f"final_val_loss constant={r['final_val_loss']['constant']:.4f} "
    f"decay={r['final_val_loss']['decay']:.4f}"
)
for name, st in r["effective_lr"].items():
    print(
        f"effective_lr {name:<8} min={st['min']:.4g} median={st['median']:.4g} max={st['max']:.4g}"
    )
print(
    f"max_param_gap_before_drop={r['max_param_gap_before_drop']:.3g} "
    f"max_param_gap_after_drop={r['max_param_gap_after_drop']:.4g}"
)
