"""Momentum's m is an exponential average of the past gradients: the course's recursion held against
the unrolled sum lr * sum_k gamma^(t-k) grad_k (float64), the weight each past gradient keeps, and
what the averaging does to the step lengths on the ravine (GD against Momentum, same start, lr,
gamma)."""

import sys

from _plot import parse_args, save

args = parse_args("momentum_memory", __doc__, sys.argv[1:])

import matplotlib.pyplot as plt  # noqa: E402 - after the backend is chosen
import numpy as np  # noqa: E402
import torch  # noqa: E402

from nnref.experiments import momentum_memory  # noqa: E402
from nnref.experiments.optimizer_paths import SURFACES  # noqa: E402

r = momentum_memory.run(steps=300, check_steps=20) if args.quick else momentum_memory.run()
s, check = r["settings"], r["buffer_check"]
COLOUR = {"gd": "k", "momentum": "tab:red"}

fig, axes = plt.subplots(1, 3, figsize=(17, 4.8))
ax = axes[0]
weights = r["past_weights"]
ax.bar(range(len(weights)), weights, color="tab:red", alpha=0.8)
ax.set(
    xlabel="k: how many steps ago the gradient was taken",
    ylabel=f"its weight in m / lr  (γ^k, γ={s['gamma']})",
    title=f"m = lr·Σ γ^k·∇E(k steps ago): the far past fades\ncheck over {check['steps']} "
    f"steps, float64: max |m − unrolled sum| = {check['max_abs_diff']:.1e}",
)

ax = axes[1]
for name in ("gd", "momentum"):
    lengths = r["step_lengths"][name]
    window = r["window"][name]
    ax.semilogy(
        range(1, len(lengths) + 1),
        lengths,
        color=COLOUR[name],
        lw=1.2,
        label=f"{name}: step_length_cv {r['step_length_cv'][name]:.2f} "
        f"over its first {window} steps",
    )
    if window <= len(lengths):
        ax.axvline(window, color=COLOUR[name], ls=":", lw=1)
ax.set(
    xlabel="step",
    ylabel="step length |w(t+1) − w(t)|",
    title=f"step lengths (dotted: the loss first within {s['tol']:g}, the end of the window)",
)
ax.legend(fontsize=8)

ax = axes[2]
(x0, x1), (y0, y1) = (-9, 2), (-1.6, 1.6)
gx, gy = torch.meshgrid(
    torch.linspace(x0, x1, 300, dtype=torch.float64),
    torch.linspace(y0, y1, 300, dtype=torch.float64),
    indexing="xy",
)
z = SURFACES["ravine"]["f"](torch.stack([gx, gy])).numpy()
ax.contour(gx.numpy(), gy.numpy(), np.log10(z + 1e-3), levels=20, cmap="Greys", linewidths=0.5)
for name in ("gd", "momentum"):
    path = np.array(r["path"][name])
    ax.plot(path[:, 0], path[:, 1], "-", marker=".", ms=3, lw=1, color=COLOUR[name], label=name)
ax.plot(*s["start"], "k*", ms=12)
ax.set(
    xlim=(x0, x1),
    ylim=(y0, y1),
    xlabel="x",
    ylabel="y",
    title=f"ravine {s['formula']}: the first {len(path) - 1} steps",
)
ax.legend(fontsize=8, loc="lower right")
for ax in axes:
    ax.title.set_fontsize(9)
fig.suptitle(
    f"ravine, lr={s['lr']}, γ={s['gamma']} (Momentum: m ← γm + lr·∇E, w ← w − m)", fontsize=10
)
fig.tight_layout()
save(fig, r, args.out, "momentum_memory")
print(
    f"buffer_check: max_abs_diff={check['max_abs_diff']:.2e} "
    f"max_rel_diff={check['max_rel_diff']:.2e} over {check['steps']} steps"
)
for name in ("gd", "momentum"):
    print(
        f"{name:<9} step_length_cv={r['step_length_cv'][name]:.3f} over {r['window'][name]} steps, "
        f"mean step {r['mean_step'][name]:.4f}"
    )
