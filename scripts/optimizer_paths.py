"""Trajectories of GD, Momentum, NAG, AdaGrad, RMSProp and Adam (nnref.optim) over contour plots of
three 2-D surfaces (a ravine, a shallow local minimum before a deeper one, Rosenbrock), with the
same lr for all six and the same gamma for Momentum and NAG within each surface."""

import sys

from _plot import parse_args, save

args = parse_args("optimizer_paths", __doc__, sys.argv[1:])

import matplotlib.pyplot as plt  # noqa: E402 - after the backend is chosen
import numpy as np  # noqa: E402
import torch  # noqa: E402

from nnref.experiments import optimizer_paths as op  # noqa: E402

r = op.run(steps_scale=0.3) if args.quick else op.run()
VIEW = {
    "ravine": ((-9, 2), (-1.6, 1.6)),
    "local_minimum": ((-1.8, 2.3), (-1.3, 1.3)),
    "rosenbrock": ((-2, 2), (-1, 3)),
}
STYLE = {
    "gd": "k",
    "momentum": "tab:red",
    "nag": "tab:orange",
    "adagrad": "tab:green",
    "rmsprop": "tab:blue",
    "adam": "tab:purple",
}

fig, axes = plt.subplots(2, 3, figsize=(16, 9.5), gridspec_kw={"height_ratios": [3, 2]})
for col, (name, res) in enumerate(r.items()):
    s = res["settings"]
    (x0, x1), (y0, y1) = VIEW[name]
    gx, gy = torch.meshgrid(
        torch.linspace(x0, x1, 300, dtype=torch.float64),
        torch.linspace(y0, y1, 300, dtype=torch.float64),
        indexing="xy",
    )
    z = (op.SURFACES[name]["f"](torch.stack([gx, gy])) - s["min_loss"]).numpy()
    top, bottom = axes[0, col], axes[1, col]
    top.contour(gx.numpy(), gy.numpy(), np.log10(z + 1e-3), levels=25, cmap="Greys", linewidths=0.6)
    for opt in op.OPTIMIZERS:
        row, colour = res[opt], STYLE[opt]
        path = np.array(row["path"])
        reached = (
            f"tol at {row['steps_to_tol']}"
            if row["steps_to_tol"] is not None
            else "tol not reached"
        )
        extra = (" escaped" if row["escaped"] else " stuck") if "escaped" in row else ""
        extra += " DIVERGED" if row["diverged"] else ""
        top.plot(
            path[:, 0],
            path[:, 1],
            "-",
            color=colour,
            lw=1.2,
            marker=".",
            ms=2.5,
            label=f"{opt}: {row['final_loss']:.2e}, {reached}{extra}",
        )
        gap = np.maximum(np.array(row["loss"]) - s["min_loss"], 1e-16)
        bottom.semilogy(row["loss_steps"], gap, color=colour, lw=1.2, label=opt)
    top.plot(*s["start"], "k*", ms=12)
    top.set(
        xlim=(x0, x1),
        ylim=(y0, y1),
        xlabel="x",
        ylabel="y",
        title=f"{name}: {s['formula']}\nlr={s['lr']} for all, "
        f"γ={s['momentum']} (momentum, nag), {s['steps']} steps",
    )
    top.title.set_fontsize(9)
    top.legend(
        fontsize=7,
        loc="lower left",
        title=f"final loss, first step within {s['tol']:g}",
        title_fontsize=7,
    )
    bottom.axhline(s["tol"], color="grey", ls=":", lw=1)
    bottom.set(xlabel="step", ylabel="loss − minimum loss", ylim=(1e-12, None))
fig.tight_layout()
save(fig, r, args.out, "optimizer_paths")
for name, res in r.items():
    cells = ", ".join(
        f"{o} {res[o]['final_loss']:.3g}/{res[o]['steps_to_tol']}"
        + ("" if "escaped" not in res[o] else (" escaped" if res[o]["escaped"] else " stuck"))
        for o in op.OPTIMIZERS
    )
    print(f"{name} (final_loss/steps_to_tol): {cells}")
