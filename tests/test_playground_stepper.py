"""The paths tab's step-by-step mode (nnref.playground.stepper): the insides are the optimizer's.

Each Stepper is checked against a fresh nnref.optim optimizer stepped the same way beside it, whose
numbers are read from its own state, and against the course's rule for the update it made.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.testing import assert_close

from nnref.experiments.optimizer_paths import SURFACES
from nnref.optim import OPTIMIZERS, USES_MOMENTUM
from nnref.playground import stepper as stepper_module
from nnref.playground.pictures import DPI, PATHS_SIZE, point_at
from nnref.playground.runs import VIEWS
from nnref.playground.stepper import MAX_STEPS, Stepper

SURFACE_NAMES = ("local_minimum", "ravine")
STEPS = 3


def t(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def settings(surface: str) -> dict:
    spec = SURFACES[surface]
    return {"start": tuple(spec["start"]), "lr": spec["lr"], "gamma": spec["momentum"]}


class Reference:
    """The optimizer alone, stepped as the paths tab steps it: what the Stepper must report."""

    def __init__(self, surface: str, name: str, start, lr: float, gamma: float):
        self.f = SURFACES[surface]["f"]
        self.w = t(start).requires_grad_(True)
        overrides = {"lr": lr, **({"momentum": gamma} if name in USES_MOMENTUM else {})}
        self.optimizer = OPTIMIZERS[name].build([self.w], **overrides)
        self.group = self.optimizer.param_groups[0]

    def step(self):
        """One step; returns (the point the gradient was taken at, the gradient, w before)."""
        taken = {}

        def closure():
            self.optimizer.zero_grad()
            loss = self.f(self.w)
            loss.backward()
            taken["at"], taken["grad"] = self.w.detach().clone(), self.w.grad.detach().clone()
            return loss

        before = self.w.detach().clone()
        self.optimizer.step(closure)
        return taken["at"], taken["grad"], before

    @property
    def state(self) -> dict:
        return self.optimizer.state[self.w]


@pytest.mark.parametrize("surface", SURFACE_NAMES)
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_three_steps_report_the_optimizers_own_state(surface, name):
    s = settings(surface)
    stepper = Stepper(surface, s["start"], name, s["lr"], s["gamma"])
    ref = Reference(surface, name, s["start"], s["lr"], s["gamma"])
    lr, gamma = s["lr"], s["gamma"]
    for step in range(1, STEPS + 1):
        ahead_before = stepper.insides().get("lookahead")
        d = stepper.step()
        at, grad, before = ref.step()
        w = ref.w.detach()
        assert d["step"] == step and d["optimizer"] == name and d["surface"] == surface
        assert_close(t(d["point"]), w)
        assert_close(t(d["gradient"]), grad)
        assert_close(t(d["gradient_at"]), at)
        assert_close(t(d["update"]), w - before)
        assert d["loss"] == pytest.approx(float(SURFACES[surface]["f"](w)), rel=1e-12)
        # The recorded gradient is the surface's own at the recorded point.
        at_again = t(d["gradient_at"]).requires_grad_(True)
        (grad_again,) = torch.autograd.grad(SURFACES[surface]["f"](at_again), at_again)
        assert_close(t(d["gradient"]), grad_again)
        state, group = ref.state, ref.group

        if name == "gd":
            assert_close(t(d["update"]), -lr * grad)
            assert_close(t(d["gradient_at"]), before)
        if name in ("momentum", "nag"):
            m = state["momentum_buffer"]
            assert_close(t(d["momentum"]), m)
            assert_close(t(d["update"]), -m)  # w ← w − m
        if name == "momentum":
            assert_close(t(d["gradient_at"]), before)
        if name == "nag":
            lookahead = w - gamma * m
            assert_close(t(d["lookahead"]), lookahead)
            # The gradient was taken at the look-ahead point w − γ·m of the state before the step
            # (at w itself on the first step, where m = 0).
            expected_at = before if ahead_before is None else t(ahead_before)
            assert (ahead_before is None) == (step == 1)
            assert_close(t(d["gradient_at"]), expected_at)
            assert_close(at, expected_at)
            if step > 1:
                assert not torch.allclose(at, before)  # it really is elsewhere than w
        if name in ("adagrad", "rmsprop"):
            key = {"adagrad": "sum", "rmsprop": "square_avg"}[name]
            store = state[key]
            step_size = lr / (store.sqrt() + group["eps"])
            assert_close(t(d[key]), store)
            assert_close(t(d["step_size"]), step_size)
            assert_close(t(d["update"]), -step_size * grad)  # w ← w − η·g/(√s + ε)
        if name == "adam":
            beta1, beta2 = group["betas"]
            assert d["t"] == state["step"] == step
            m_hat = state["exp_avg"] / (1 - beta1**step)
            v_hat = state["exp_avg_sq"] / (1 - beta2**step)
            step_size = lr / (v_hat.sqrt() + group["eps"])
            assert_close(t(d["exp_avg"]), state["exp_avg"])
            assert_close(t(d["exp_avg_sq"]), state["exp_avg_sq"])
            assert_close(t(d["m_hat"]), m_hat)
            assert_close(t(d["v_hat"]), v_hat)
            assert_close(t(d["step_size"]), step_size)
            assert_close(t(d["update"]), -step_size * m_hat)  # w ← w − η·m̂/(√v̂ + ε)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_before_any_step_the_insides_are_the_start(name):
    s = settings("ravine")
    d = Stepper("ravine", s["start"], name, s["lr"], s["gamma"]).insides()
    assert d["step"] == 0 and d["point"] == list(s["start"])
    assert d["loss"] == pytest.approx(float(SURFACES["ravine"]["f"](t(s["start"]))))
    keys = {"gradient", "gradient_at", "update", "momentum", "lookahead", "sum", "square_avg"}
    keys |= {"step_size", "exp_avg", "exp_avg_sq", "m_hat", "v_hat", "t"}
    assert all(d[k] is None for k in keys & d.keys())
    expected = {
        "gd": set(),
        "momentum": {"momentum"},
        "nag": {"momentum", "lookahead"},
        "adagrad": {"sum", "step_size"},
        "rmsprop": {"square_avg", "step_size"},
        "adam": {"t", "exp_avg", "exp_avg_sq", "m_hat", "v_hat", "step_size"},
    }[name]
    assert keys & d.keys() == expected | {"gradient", "gradient_at", "update"}


def test_the_optimizer_is_built_with_the_given_lr_and_gamma_and_table_defaults():
    nag = Stepper("ravine", (1.0, 1.0), "nag", 0.05, gamma=0.5).optimizer
    assert isinstance(nag, OPTIMIZERS["nag"].cls)
    assert nag.param_groups[0]["lr"] == 0.05 and nag.param_groups[0]["momentum"] == 0.5
    adam = Stepper("ravine", (1.0, 1.0), "adam", 0.02, gamma=0.5).optimizer
    assert adam.param_groups[0]["betas"] == OPTIMIZERS["adam"].settings["betas"]
    assert "momentum" not in adam.param_groups[0]


@pytest.mark.parametrize(
    "args, field",
    [
        (("valley", (0.0, 0.0), "gd", 0.1), "surface"),
        (("ravine", (0.0, 0.0), "sgd", 0.1), "optimizer"),
        (("ravine", (0.0,), "gd", 0.1), "start"),
        (("ravine", (0.0, float("nan")), "gd", 0.1), "start"),
        (("ravine", (0.0, 0.0), "gd", -1.0), "lr"),
        (("ravine", (0.0, 0.0), "momentum", 0.1, 1.0), "gamma"),
    ],
)
def test_bad_settings_raise_naming_the_field(args, field):
    with pytest.raises(ValueError, match=field):
        Stepper(*args)


def test_steps_are_capped(monkeypatch):
    assert MAX_STEPS == 5000
    monkeypatch.setattr(stepper_module, "MAX_STEPS", 2)
    stepper = Stepper("ravine", (1.0, 1.0), "gd", 0.01)
    stepper.step()
    stepper.step()
    with pytest.raises(ValueError, match="steps"):
        stepper.step()
    assert stepper.insides()["step"] == 2


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_the_table_holds_the_numbers_and_the_rule(name):
    s = settings("local_minimum")
    stepper = Stepper("local_minimum", s["start"], name, s["lr"], s["gamma"])
    stepper.step()
    d = stepper.step()
    text = stepper.table()
    assert "| quantity | x | y |" in text and OPTIMIZERS[name].form in text
    vectors = ["point", "gradient", "gradient_at", "update", "momentum", "lookahead", "step_size"]
    vectors += ["sum", "square_avg", "exp_avg", "exp_avg_sq", "m_hat", "v_hat"]
    for key in vectors:
        if key in d:
            for value in d[key]:
                assert f"| {value:.6g} |" in text, key
    assert f"{d['loss']:.6g}" in text
    assert "—" in Stepper("ravine", (1.0, 1.0), name, 0.01).table()  # no state yet


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_the_picture_is_rgb_of_the_paths_size_and_moves_with_a_step(name):
    s = settings("local_minimum")
    stepper = Stepper("local_minimum", s["start"], name, s["lr"], s["gamma"])
    view = VIEWS["local_minimum"]
    first = stepper.picture(view)
    height, width = round(PATHS_SIZE[1] * DPI), round(PATHS_SIZE[0] * DPI)
    assert first.shape == (height, width, 3) and first.dtype == np.uint8
    stepper.step()
    second = stepper.picture(view)
    assert second.shape == first.shape and (second != first).any()
    assert (stepper.picture(view) == second).all()  # drawing again changes nothing
    other = stepper.picture(VIEWS["ravine"])  # a new view: a new map
    assert other.shape == first.shape and (other != second).any()


def test_the_map_maps_clicks_back_as_the_paths_picture_does():
    stepper = Stepper("ravine", (-8.0, 1.0), "momentum", 0.0125)
    view = VIEWS["ravine"]
    stepper.picture(view)
    height = PATHS_SIZE[1] * DPI
    for x, y in ((-7.0, 0.5), (1.0, -1.0)):
        px, py = stepper.frames.map.transData.transform((x, y))
        assert point_at(px, height - py, view) == pytest.approx((x, y), abs=1e-6)


def test_the_arrows_are_the_gd_step_the_momentum_and_nags_look_ahead_step():
    lr, gamma = 0.01, 0.9
    stepper = Stepper("local_minimum", (2.0, 1.0), "nag", lr, gamma)
    assert set(stepper.arrows()) == {"gd"}  # no momentum before the first step
    for _ in range(2):
        stepper.step()
    d, arrows = stepper.insides(), stepper.arrows()
    f = SURFACES["local_minimum"]["f"]

    def gradient(point):
        p = point.detach().clone().requires_grad_(True)
        return torch.autograd.grad(f(p), p)[0]

    w, m, ahead = t(d["point"]), t(d["momentum"]), t(d["lookahead"])
    assert_close(t(arrows["gd"][0]), w)
    assert_close(t(arrows["gd"][1]), w - lr * gradient(w))
    assert_close(t(arrows["momentum"][1]), w - m)
    assert_close(t(arrows["lookahead"][0]), ahead)
    tip = t(arrows["lookahead"][1])
    assert_close(tip, ahead - lr * gradient(ahead))
    # The look-ahead step's tip is where NAG's next step lands.
    assert_close(t(stepper.step()["point"]), tip)


def test_a_diverging_run_still_draws():
    stepper = Stepper("ravine", (-8.0, 1.0), "gd", 1.0)  # lr·100 = 100: far past stable
    for _ in range(200):
        stepper.step()
    d = stepper.insides()
    assert d["diverged"]
    assert stepper.picture(VIEWS["ravine"]).shape[2] == 3


def test_a_bad_view_raises_naming_it():
    stepper = Stepper("ravine", (1.0, 1.0), "gd", 0.01)
    with pytest.raises(ValueError, match="view"):
        stepper.picture(((1.0, -1.0), (0.0, 1.0)))
