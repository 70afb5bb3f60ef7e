"""Why sigmoid + MSE stalls where sigmoid + cross-entropy does not: |dE/dnet| against the output,
and training from a confidently wrong start (net = -7) with the same weights, optimizer and lr."""

import sys

from _plot import parse_args, save

args = parse_args("saturation", __doc__, sys.argv[1:])

import matplotlib.pyplot as plt  # noqa: E402 - after the backend is chosen

from nnref.experiments import saturation  # noqa: E402

r = saturation.run(epochs=20, n_points=99) if args.quick else saturation.run()
s = r["settings"]

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
c = r["curves"]
ax1.plot(c["y"], c["abs_grad_mse"], label="MSE ½(t−y)²: |(t−y)·y(1−y)|")
ax1.plot(c["y"], c["abs_grad_ce"], label="cross-entropy: |y − t|")
ax1.axvline(r["y_wrong"], color="grey", ls=":", lw=1)
ax1.annotate(
    f"net = {r['net_wrong']:g}: MSE {abs(r['grad_mse_wrong']):.1e}, "
    f"CE {abs(r['grad_ce_wrong']):.3f}",
    (r["y_wrong"], 0.55),
    xytext=(0.08, 0.55),
    fontsize=8,
)
ax1.set(
    xlabel="output y = σ(net)   (target t = 1)",
    ylabel="|dE/dnet|",
    title="Gradient at the output unit, t = 1",
)
ax1.legend(fontsize=8)

for loss, label in (("mse", "sigmoid + MSE"), ("ce", "sigmoid + cross-entropy")):
    ax2.plot(r["history"][loss]["acc"], label=f"{label}: {r['history'][loss]['acc'][-1]:.3f}")
ax2.axhline(r["start_acc"], color="grey", ls=":", lw=1)
ax2.annotate(
    f"start: every row called '{r['classes'][0]}' (class 0)",
    (0, r["start_acc"]),
    xytext=(2, r["start_acc"] - 0.07),
    fontsize=8,
    color="grey",
)
ax2.set(
    xlabel="epoch",
    ylabel="training accuracy",
    ylim=(0, 1.02),
    title=f"{s['source']}, start net = {r['net_wrong']:g}; "
    f"{s['optimizer']} lr={s['lr']}, full batch",
)
ax2.legend(fontsize=8, loc="lower right")
fig.tight_layout()
save(fig, r, args.out, "saturation")
print(
    f"grad_mse_wrong={r['grad_mse_wrong']:.6f} grad_ce_wrong={r['grad_ce_wrong']:.6f} "
    f"train_acc_mse={r['train_acc_mse']:.4f} train_acc_ce={r['train_acc_ce']:.4f}"
)
