"""The paths tab's step-by-step mode: one optimizer's insides, one update at a time.

The paths tab shows where the six optimizers go; this shows why one of them goes there. A Stepper
holds one parameter w = (x, y) on a surface of nnref.experiments.optimizer_paths and one course
optimizer from nnref.optim, and makes one update per `step()`, as the paths tab's runs do: through
`optimizer.step(closure)`, so that NAG takes its gradient at the look-ahead point w − γ·m.

`insides()` reports what the optimizer holds after the latest step: its momentum m, AdaGrad's sum s
and RMSProp's running mean v of squared gradients, Adam's m, v and their bias-corrected m̂ and v̂,
the per-coordinate step size those give, and the step itself. Every number is read from the
optimizer's own state (`optimizer.state[w]`, `param_groups`) or recorded by the closure it called,
never recomputed by a second implementation of the rule: the page must show what the course's
optimizer does, so a bug in it shows here too instead of being papered over.

`picture(view)` looks forward from the current point, on the paths tab's layout (the map where
PathFrames draws it, so that `pictures.point_at` maps a click the same way): the plain GD step
−η·∇E(w), the momentum −m (w moved by exactly −m in the last step), NAG's next look-ahead point
w − γ·m with its gradient step −η·∇E(w − γ·m) (whose tip is where NAG's next step lands), and for
AdaGrad, RMSProp and Adam the step size per coordinate as two bars. Those arrows are often a pixel
long on the map, so a close-up beside it magnifies the neighbourhood of w, with x and y stretched
as on the map so that the arrows keep the map's shape.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Rectangle

from ..errors import InvalidSetting
from ..experiments.optimizer_paths import SURFACES
from ..locale.messages import Joined, _, join
from ..optim import OPTIMIZERS, USES_MOMENTUM
from .pictures import DPI, DRAWING, MAP_BOX, PATHS_SIZE, STYLE, BlitFigure, draw_surface
from .settings import MAX_PATH_STEPS

MAX_STEPS = MAX_PATH_STEPS  # the paths tab's own limit on steps

# Where the squared gradients live, and the step size they give, as the course writes it.
ACCUMULATOR = {"adagrad": "sum", "rmsprop": "square_avg", "adam": "exp_avg_sq"}
STEP_SIZE_RULE = {"adagrad": "η/(√s + ε)", "rmsprop": "η/(√v + ε)", "adam": "η/(√v̂ + ε), on m̂"}
SYMBOLS = {"lr": "η", "momentum": "γ", "alpha": "α", "eps": "ε"}  # param_groups' names -> course's

# The arrows at the current point: colours apart from every optimizer's path colour (STYLE).
ARROWS = {
    "gd": ("tab:cyan", "−η·∇E(w): a plain GD step"),
    "momentum": ("tab:brown", "−m: the momentum"),
    "lookahead": ("tab:pink", "−η·∇E(w − γ·m): NAG's next step"),
}
LOOKAHEAD_COLOUR = "tab:orange"  # as PathFrames marks NAG's look-ahead points

# The right-hand part of the figure (where PathFrames puts its loss plot): the close-up, and for
# the adaptive optimizers the step-size bars below it.
NEAR_BOX = (0.62, 0.11, 0.36, 0.74)
NEAR_BOX_ABOVE_BARS = (0.62, 0.42, 0.36, 0.43)
BARS_BOX = (0.65, 0.11, 0.2, 0.17)
NEAR_FILL = 0.8  # of the close-up's half-width and half-height that the arrows may take
MAX_ZOOM = 1e6  # at a minimum every arrow is 0: the close-up stops magnifying somewhere
MIN_ARROW_PIXELS = 2.0  # shorter on the map, an arrow would be all head: the close-up shows it


class Stepper:
    """One optimizer on one surface, stepped on demand; see the module docstring."""

    def __init__(
        self,
        surface: str,
        start: tuple[float, float],
        optimizer: str,
        lr: float,
        gamma: float = 0.9,
    ):
        if surface not in SURFACES:
            valid = ", ".join(SURFACES)
            raise ValueError(
                _("surface {value!r}: unknown; valid: {valid}", value=surface, valid=valid)
            )
        if optimizer not in OPTIMIZERS:
            valid = ", ".join(OPTIMIZERS)
            raise ValueError(
                _("optimizer {value!r}: unknown; valid: {valid}", value=optimizer, valid=valid)
            )
        start = _pair("start", start)
        overrides = {"lr": lr, **({"momentum": gamma} if optimizer in USES_MOMENTUM else {})}
        self.surface, self.name, self.f = surface, optimizer, SURFACES[surface]["f"]
        self.w = torch.tensor(start, dtype=torch.float64, requires_grad=True)
        try:  # the optimizer's own check, named by this class's own parameter (gamma for momentum)
            self.optimizer = OPTIMIZERS[optimizer].build([self.w], **overrides)
        except InvalidSetting as error:
            name = {"momentum": "gamma"}.get(error.key, error.key)
            raise ValueError(_("{name}: {why}", name=name, why=error.why)) from None
        self.steps = 0
        self.path = [list(start)]  # w after each step, the start first
        self.losses = [self._loss()]
        self.gradient_at: list = []  # per step: where its gradient was taken (NAG: the look-ahead)
        self.gradients: list = []  # per step: that gradient
        self.last_update = None
        self.frames = None  # the picture of the latest view, kept: its contours cost most

    # ------------------------------------------------------------ stepping
    def _closure(self):
        self.optimizer.zero_grad()
        loss = self.f(self.w)
        loss.backward()
        # w holds the point the optimizer put it at for this gradient: for NAG, w − γ·m.
        self._taken = (self.w.detach().tolist(), self.w.grad.detach().tolist())
        return loss

    def step(self) -> dict:
        """One update, as optimizer.step(closure); returns the new insides()."""
        if self.steps >= MAX_STEPS:
            raise ValueError(
                _("steps: at most {most} in step-by-step mode; start again", most=MAX_STEPS)
            )
        before = self.w.detach().clone()
        self.optimizer.step(self._closure)
        point, gradient = self._taken
        self.steps += 1
        self.gradient_at.append(point)
        self.gradients.append(gradient)
        self.last_update = (self.w.detach() - before).tolist()
        self.path.append(self.w.detach().tolist())
        self.losses.append(self._loss())
        return self.insides()

    def _loss(self) -> float:
        with torch.no_grad():
            return float(self.f(self.w))

    # ------------------------------------------------------------ the numbers
    def insides(self) -> dict:
        """The optimizer after the latest step, each vector a list [x, y] (None before the first
        step where it needs the optimizer's state). See the module docstring."""
        state = self.optimizer.state.get(self.w, {})  # .get: state is a defaultdict, keep it clean
        group = self.optimizer.param_groups[0]
        lr = float(group["lr"])
        out = {
            "optimizer": self.name,
            "surface": self.surface,
            "settings": {k: v for k, v in group.items() if k != "params"},
            "step": self.steps,
            "point": list(self.path[-1]),
            "loss": self.losses[-1],
            "diverged": not math.isfinite(self.losses[-1]),
            "gradient": self.gradients[-1] if self.steps else None,
            "gradient_at": self.gradient_at[-1] if self.steps else None,
            "update": self.last_update,
        }
        if self.name in USES_MOMENTUM:
            m = state.get("momentum_buffer")
            out["momentum"] = _listed(m)
        if self.name == "nag":
            # Where NAG's next step will take its gradient, as its step() moves w there.
            # (the same add as its step() makes, so the two agree to the last bit).
            ahead = None if m is None else torch.add(self.w.detach(), m, alpha=-group["momentum"])
            out["lookahead"] = _listed(ahead)
        if self.name in ("adagrad", "rmsprop"):
            store = state.get(ACCUMULATOR[self.name])
            out[ACCUMULATOR[self.name]] = _listed(store)
            out["step_size"] = _listed(
                None if store is None else lr / (store.sqrt() + group["eps"])
            )
        if self.name == "adam":
            t = state.get("step")
            m, v = state.get("exp_avg"), state.get("exp_avg_sq")
            beta1, beta2 = group["betas"]
            m_hat = None if t is None else m / (1 - beta1**t)
            v_hat = None if t is None else v / (1 - beta2**t)
            out.update(
                t=t,
                exp_avg=_listed(m),
                exp_avg_sq=_listed(v),
                m_hat=_listed(m_hat),
                v_hat=_listed(v_hat),
                step_size=_listed(None if t is None else lr / (v_hat.sqrt() + group["eps"])),
            )
        return out

    def table(self) -> Joined:
        """insides() as a Markdown table (quantity | x | y), 6 significant digits, with the rule."""
        d = self.insides()
        nag = "lookahead" in d
        rows = [
            ("w", d["point"]),
            (
                _("g = ∇E(w − γ·m), the last step's gradient")
                if nag
                else _("g = ∇E(w), the last step's gradient"),
                d["gradient"],
            ),
            (
                _("where g was taken (the look-ahead then)") if nag else _("where g was taken"),
                d["gradient_at"],
            ),
        ]
        if "momentum" in d:
            rows.append(("m", d["momentum"]))
        if nag:
            rows.append((_("w − γ·m, the next look-ahead"), d["lookahead"]))
        if self.name == "adagrad":
            rows.append(("s", d["sum"]))
        if self.name == "rmsprop":
            rows.append(("v", d["square_avg"]))
        if self.name == "adam":
            rows += [("m", d["exp_avg"]), ("v", d["exp_avg_sq"])]
            rows += [("m̂ = m/(1 − β₁ᵗ)", d["m_hat"]), ("v̂ = v/(1 − β₂ᵗ)", d["v_hat"])]
        if "step_size" in d:
            rule = STEP_SIZE_RULE[self.name]
            rows.append((_("effective learning rate {rule}", rule=rule), d["step_size"]))
        rows.append((_("Δw, the last step"), d["update"]))
        lines = [
            _(
                "**{name}** on {surface}, step {step}: E(w) = {loss}",
                name=self.name,
                surface=self.surface.replace("_", " "),
                step=d["step"],
                loss=_short(d["loss"]),
            ),
            "",
            join(["| ", _("quantity"), " | x | y |"], ""),
            "|---|---|---|",
        ]
        for label, pair in rows:
            x, y = (None, None) if pair is None else pair
            lines.append(join(["| ", label, f" | {_short(x)} | {_short(y)} |"], ""))
        rule = OPTIMIZERS[self.name].form
        lines += ["", _("Rule: {rule}  ({settings})", rule=rule, settings=self._hyperparameters(d))]
        return join(lines, "\n")

    def _hyperparameters(self, d: dict) -> str:
        s = d["settings"]
        parts = [f"{SYMBOLS[k]} = {s[k]:g}" for k in ("lr", "momentum", "alpha", "eps") if k in s]
        if "betas" in s:
            parts.insert(1, f"β₁ = {s['betas'][0]:g}, β₂ = {s['betas'][1]:g}")
        return ", ".join(parts)

    # ------------------------------------------------------------ the picture
    def arrows(self) -> dict:
        """What picture() draws at the current point: name -> (tail, tip), lists of 2 floats.
        "gd": −η·∇E(w); "momentum": −m; "lookahead": −η·∇E(w − γ·m) from w − γ·m. The gradients
        here are the surface's at points the optimizer has not yet stepped from (autograd on the
        surface's function), so that the picture shows what comes next; the insides stay the
        optimizer's own."""
        d = self.insides()
        lr = float(d["settings"]["lr"])
        w = np.array(d["point"])
        out = {"gd": (w, w - lr * self._gradient(w))}
        if d.get("momentum") is not None:
            out["momentum"] = (w, w - np.array(d["momentum"]))
        if d.get("lookahead") is not None:
            u = np.array(d["lookahead"])
            out["lookahead"] = (u, u - lr * self._gradient(u))
        return {
            k: (tail.tolist(), tip.tolist())
            for k, (tail, tip) in out.items()
            if np.isfinite(tail).all() and np.isfinite(tip).all()
        }

    def _gradient(self, point) -> np.ndarray:
        if not np.isfinite(point).all():
            return np.full(2, np.nan)
        w = torch.tensor(point, dtype=torch.float64, requires_grad=True)
        (g,) = torch.autograd.grad(self.f(w), w)
        return g.numpy()

    def picture(self, view) -> np.ndarray:
        """The picture as an RGB array (height, width, 3), uint8; view = ((x_lo, x_hi), (y_lo,
        y_hi)), as runs.view gives it. The figure of the latest view is kept and redrawn in part."""
        view = _view(view)
        with DRAWING:
            if self.frames is None or self.frames.view != view:
                self.frames = StepFrames(self, view)
            return self.frames.draw(self)


class StepFrames:
    """One Stepper's picture for one view: the contours drawn once, the rest per frame."""

    def __init__(self, stepper: Stepper, view: tuple):
        self.view, name = view, stepper.name
        self.canvas = BlitFigure(*PATHS_SIZE, dpi=DPI)
        fig = self.canvas.figure
        self.map = fig.add_axes(MAP_BOX)
        draw_surface(self.map, stepper.surface, view, stepper.path[0])
        adaptive = name in STEP_SIZE_RULE
        self.near = fig.add_axes(NEAR_BOX_ABOVE_BARS if adaptive else NEAR_BOX)
        # No ticks: its limits follow w every frame, and ticks would need a full redraw each time.
        self.near.set(xticks=[], yticks=[], facecolor="#f7f7f7")
        self.parts = [self._moving_parts(ax, name) for ax in (self.map, self.near)]
        self.region = self.canvas.moves(
            self.map.add_patch(Rectangle((0, 0), 0, 0, fill=False, ec="grey", lw=0.8, ls="--"))
        )
        self.near_text = self.canvas.moves(
            fig.text(NEAR_BOX[0], 0.87, "", ha="left", va="bottom", fontsize=9)
        )
        self.step_text = self.canvas.moves(
            fig.text(0.005, 0.985, "", ha="left", va="top", fontsize=10)
        )
        self.bars = self._bars(fig, name) if adaptive else None
        handles = [Line2D([], [], color=STYLE[name], marker=".", lw=1.3, label=f"{name}'s path")]
        handles += [
            Line2D([], [], color=ARROWS[k][0], lw=2.2, label=ARROWS[k][1])
            for k in self.parts[0]["arrows"]
        ]
        if name == "nag":
            handles.append(
                Line2D(
                    [],
                    [],
                    ls="",
                    marker="o",
                    mfc="none",
                    mec=LOOKAHEAD_COLOUR,
                    label="look-ahead w − γ·m (past: small)",
                )
            )
        fig.legend(
            handles=handles,
            # Top right: the step's text holds the top left corner.
            loc="upper right",
            bbox_to_anchor=(0.995, 1.0),
            ncol=min(len(handles), 3),
            fontsize=8,
            frameon=False,
        )
        self.canvas.on_top = [*self.map.spines.values(), *self.near.spines.values()]
        fig_w, fig_h = PATHS_SIZE[0] * DPI, PATHS_SIZE[1] * DPI
        (x_lo, x_hi), (y_lo, y_hi) = view
        # The map's pixels per unit: the close-up keeps their ratio, so arrows keep their shape.
        self.scale = np.array(
            [MAP_BOX[2] * fig_w / (x_hi - x_lo), MAP_BOX[3] * fig_h / (y_hi - y_lo)]
        )
        box = self.near.get_position()
        self.near_pixels = np.array([box.width * fig_w, box.height * fig_h])

    def _moving_parts(self, ax, name: str) -> dict:
        moves = self.canvas.moves
        parts = {"path": moves(*ax.plot([], [], "-", color=STYLE[name], lw=1.3, marker=".", ms=3))}
        if name == "nag":
            parts["past"] = moves(
                *ax.plot([], [], "o", ms=3.5, mfc="none", mec=LOOKAHEAD_COLOUR, mew=0.9)
            )
            parts["ahead"] = moves(
                *ax.plot([], [], "o", ms=8, mfc="none", mec=LOOKAHEAD_COLOUR, mew=1.6)
            )
        parts["head"] = moves(*ax.plot([], [], "o", color=STYLE[name], ms=7, mec="white", mew=0.8))
        keys = ["gd"] + (["momentum"] if name in USES_MOMENTUM else [])
        keys += ["lookahead"] if name == "nag" else []
        parts["arrows"] = {
            k: moves(
                ax.add_patch(
                    FancyArrowPatch(
                        (0, 0),
                        (0, 0),
                        arrowstyle="-|>",
                        mutation_scale=11,
                        color=ARROWS[k][0],
                        lw=1.8,
                        shrinkA=0,
                        shrinkB=0,
                        zorder=6,
                    )
                )
            )
            for k in keys
        }
        return parts

    def _bars(self, fig, name: str) -> dict:
        ax = fig.add_axes(BARS_BOX)
        ax.set(xlim=(0, 1), ylim=(-0.6, 1.6), xticks=[], yticks=[1, 0], yticklabels=["x", "y"])
        ax.set_title(f"step size per coordinate: {STEP_SIZE_RULE[name]}", fontsize=8, loc="left")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        rects = ax.barh([1, 0], [0, 0], height=0.6, color=STYLE[name])
        texts = [
            ax.text(1.03, y, "", va="center", fontsize=8, transform=ax.get_yaxis_transform())
            for y in (1, 0)
        ]
        return {"rects": list(self.canvas.moves(*rects)), "texts": list(self.canvas.moves(*texts))}

    # ------------------------------------------------------------ one frame
    def draw(self, stepper: Stepper) -> np.ndarray:
        d, arrows = stepper.insides(), stepper.arrows()
        path = _finite_or_nan(np.array(stepper.path))
        w = path[-1]
        near_limits = self._near_limits(w, arrows, d)
        for ax, parts in zip((self.map, self.near), self.parts):
            parts["path"].set_data(path[:, 0], path[:, 1])
            parts["head"].set_data(path[-1:, 0], path[-1:, 1])
            for key, patch in parts["arrows"].items():
                shown = key in arrows and (ax is self.near or self._long_enough(*arrows[key]))
                patch.set_visible(shown)
                if shown:
                    patch.set_positions(*arrows[key])
            if "ahead" in parts:
                past = _finite_or_nan(np.array(stepper.gradient_at).reshape(-1, 2))
                parts["past"].set_data(past[:, 0], past[:, 1])
                ahead = [] if d["lookahead"] is None else [d["lookahead"]]
                ahead = _finite_or_nan(np.array(ahead).reshape(-1, 2))
                parts["ahead"].set_data(ahead[:, 0], ahead[:, 1])
        if near_limits is not None:
            (x_lo, x_hi), (y_lo, y_hi), zoom = near_limits
            self.near.set(xlim=(x_lo, x_hi), ylim=(y_lo, y_hi))
            self.region.set_bounds(x_lo, y_lo, x_hi - x_lo, y_hi - y_lo)
            self.region.set_visible(zoom > 1.5)  # at about the map's scale, the box says nothing
            self.near_text.set_text(f"close-up at w, ×{zoom:.3g} (x, y stretched as on the map)")
        else:
            self.region.set_visible(False)
            self.near_text.set_text("close-up at w: w is not finite")
        if self.bars is not None:
            self._draw_bars(d["step_size"])
        state = "diverged: the loss is not finite" if d["diverged"] else f"E(w) = {d['loss']:.4g}"
        self.step_text.set_text(f"{stepper.name}, step {d['step']}: {state}")
        return self.canvas.frame()

    def _long_enough(self, tail, tip) -> bool:
        return float(np.hypot(*((np.subtract(tip, tail)) * self.scale))) >= MIN_ARROW_PIXELS

    def _near_limits(self, w, arrows: dict, d: dict):
        """The close-up's limits around w, and how much it magnifies the map."""
        if not np.isfinite(w).all():
            return None
        ends = [np.asarray(p) for pair in arrows.values() for p in pair]
        reach = np.max(np.abs(np.array(ends) - w), axis=0) if ends else np.zeros(2)
        pixels = reach * self.scale  # how far the arrows reach, in the map's pixels
        room = NEAR_FILL * self.near_pixels / 2
        with np.errstate(divide="ignore"):
            zoom = float(np.min(np.where(pixels > 0, room / pixels, MAX_ZOOM)))
        zoom = min(max(zoom, 1.0), MAX_ZOOM)
        half = self.near_pixels / 2 / (zoom * self.scale)
        return (w[0] - half[0], w[0] + half[0]), (w[1] - half[1], w[1] + half[1]), zoom

    def _draw_bars(self, step_size) -> None:
        values = [math.nan, math.nan] if step_size is None else step_size
        finite = [v for v in values if math.isfinite(v)]
        top = max(finite) if finite and max(finite) > 0 else 1.0
        for rect, text, v in zip(self.bars["rects"], self.bars["texts"], values):
            rect.set_width(v / top if math.isfinite(v) else 0.0)
            text.set_text(_short(None if step_size is None else v))


# ---------------------------------------------------------------- small helpers
def _pair(name: str, value) -> list:
    try:
        pair = [float(v) for v in value]
    except (TypeError, ValueError):
        pair = None
    if pair is None or len(pair) != 2 or not all(math.isfinite(v) for v in pair):
        why = _("{name} {value!r}: must be two finite numbers (x, y)", name=name, value=value)
        raise ValueError(why) from None
    return pair


def _view(view) -> tuple:
    try:
        (x_lo, x_hi), (y_lo, y_hi) = ((float(lo), float(hi)) for lo, hi in view)
    except (TypeError, ValueError):
        raise ValueError(f"view {view!r}: must be ((x_lo, x_hi), (y_lo, y_hi))") from None
    finite = all(math.isfinite(v) for v in (x_lo, x_hi, y_lo, y_hi))
    if not (finite and x_lo < x_hi and y_lo < y_hi):
        raise ValueError(f"view {view!r}: must be finite, each low end below its high end")
    return (x_lo, x_hi), (y_lo, y_hi)


def _listed(tensor) -> list | None:
    return None if tensor is None else tensor.detach().tolist()


def _finite_or_nan(points: np.ndarray) -> np.ndarray:
    """Points with inf as NaN: matplotlib leaves a NaN out of a line, an inf it may not."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    return np.where(np.isfinite(points), points, np.nan)


def _short(value) -> str:
    return "—" if value is None else f"{value:.6g}"
