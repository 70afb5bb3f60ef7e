"""The paths tab's numbers: nnref.experiments.optimizer_paths run from the user's start, lr and gamma.

Nothing is computed here that the experiment does not compute: `run_surface` steps the six
nnref.optim optimizers on the surface and reports, per optimizer, the final loss, the first step
within tolerance and (on the local minimum) whether the path escaped the shallow well.
"""
from __future__ import annotations

from ..experiments import optimizer_paths
from .settings import PathSettings

# The view of each surface, as scripts/optimizer_paths.py draws it.
VIEWS = {"ravine": ((-9.0, 2.0), (-1.6, 1.6)), "local_minimum": ((-1.8, 2.3), (-1.3, 1.3)),
         "rosenbrock": ((-2.0, 2.0), (-1.0, 3.0))}
KEEP = 400  # path points kept for drawing (long runs are thinned evenly; the numbers use every step)


def run_paths(settings: PathSettings) -> dict:
    """optimizer_paths.run_surface with these settings, NAG's look-ahead points included."""
    return optimizer_paths.run_surface(settings.surface, steps=settings.steps, optimizers=settings.optimizers,
                                       keep=KEEP, start=[settings.x0, settings.y0], lr=settings.lr,
                                       momentum=settings.gamma, lookahead=True)


def view(settings: PathSettings) -> tuple:
    """The surface's view, widened to hold the start point (with a margin)."""
    (x_lo, x_hi), (y_lo, y_hi) = VIEWS[settings.surface]
    mx, my = 0.08 * (x_hi - x_lo), 0.08 * (y_hi - y_lo)
    return ((min(x_lo, settings.x0 - mx), max(x_hi, settings.x0 + mx)),
            (min(y_lo, settings.y0 - my), max(y_hi, settings.y0 + my)))


def rows(result: dict) -> list:
    """One dict per optimizer: the experiment's own numbers, in the order they were asked for."""
    names = result["settings"]["lr_shared_by"]
    return [{"optimizer": name, "final_loss": result[name]["final_loss"],
             "steps_to_tol": result[name]["steps_to_tol"], "diverged": result[name]["diverged"],
             "escaped": result[name].get("escaped")} for name in names]


def table(result: dict) -> str:
    """The numbers as a Markdown table."""
    s = result["settings"]
    local = "wells" in s
    head = ["optimizer", "final loss", f"first step within {s['tol']:g}"]
    head += ["escaped the local minimum"] if local else []
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows(result):
        reached = "—" if row["steps_to_tol"] is None else str(row["steps_to_tol"])
        reached = "diverged" if row["diverged"] else reached
        cells = [row["optimizer"], f"{row['final_loss']:.4g}", reached]
        if local:
            cells.append("yes" if row["escaped"] else "no")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
