"""nnref.optim against the course formulas (textbook references below) and torch's optimizers.

What any torch optimizer must do (param groups, frozen parameters, state_dict, deepcopy, hooks,
schedulers) and equality with torch step for step (float64 and float32, complex parameters,
sparse gradients, maximize) come from nnref's own kit, nnref.testing (docs/testing.md): see
test_passes_the_kit_against_torch.  The rest is particular to nnref: the formulas, the
NAG identities, the messages, the sparse and complex paths, maximize and tensor lr.
"""

import copy
import inspect
import math
import re
from dataclasses import dataclass, field
from functools import partial

import pytest
import torch
from torch import nn
from torch.func import functional_call
from torch.testing import assert_close

from nnref.optim import GD, NAG, AdaGrad, Adam, Momentum, RMSProp
from nnref.testing import check_optimizer

STEPS = 25


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny tensors gain nothing from intra-op threads, and stall when the cores are shared."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# ---------------------------------------------------------------- the problem


def make_problem(seed=0):
    """A small MLP, fixed random data, and a closure factory (full batch: deterministic)."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)).double()
    inputs = torch.randn(32, 4, dtype=torch.float64)
    targets = torch.randn(32, 3, dtype=torch.float64)
    return model, inputs, targets


def loss_of(model, inputs, targets, params=None):
    outputs = model(inputs) if params is None else functional_call(model, params, (inputs,))
    return nn.functional.mse_loss(outputs, targets)


def closure_for(model, optimizer, inputs, targets):
    def closure():
        optimizer.zero_grad()
        loss = loss_of(model, inputs, targets)
        loss.backward()
        return loss

    return closure


def gradient_fn(model, inputs, targets):
    """ws (plain tensors, in model.parameters() order) -> ∇E at ws."""
    names = [name for name, _ in model.named_parameters()]

    def grad_at(ws):
        ws = [w.detach().requires_grad_() for w in ws]
        loss = loss_of(model, inputs, targets, dict(zip(names, ws)))
        return torch.autograd.grad(loss, ws)

    return grad_at


def values(model):
    return [p.detach().clone() for p in model.parameters()]


# ------------------------------------------- textbook references (plain tensors)
# Each factory returns step(ws, grad_at) -> new ws, with its state in the closure.


def textbook_gd(lr, weight_decay=0.0):
    def step(ws, grad_at):
        gs = [g + weight_decay * w for w, g in zip(ws, grad_at(ws))]
        return [w - lr * g for w, g in zip(ws, gs)]

    return step


def textbook_momentum(lr, momentum=0.9, weight_decay=0.0):
    """lr may be a function of the step number t = 1, 2, ... (an lr schedule)."""
    state = {"t": 0, "m": None}

    def step(ws, grad_at):
        state["t"] += 1
        eta = lr(state["t"]) if callable(lr) else lr
        gs = [g + weight_decay * w for w, g in zip(ws, grad_at(ws))]
        ms = state["m"] or [torch.zeros_like(w) for w in ws]
        state["m"] = ms = [momentum * m + eta * g for m, g in zip(ms, gs)]
        return [w - m for w, m in zip(ws, ms)]

    return step


def textbook_nag(lr, momentum=0.9, weight_decay=0.0):
    state = {"m": None}

    def step(ws, grad_at):
        ms = state["m"] or [torch.zeros_like(w) for w in ws]
        lookahead = [w - momentum * m for w, m in zip(ws, ms)]
        gs = [g + weight_decay * u for u, g in zip(lookahead, grad_at(lookahead))]
        state["m"] = ms = [momentum * m + lr * g for m, g in zip(ms, gs)]
        return [w - m for w, m in zip(ws, ms)]

    return step


def textbook_adagrad(lr, eps=1e-10, weight_decay=0.0, initial_accumulator_value=0.0):
    state = {"s": None}

    def step(ws, grad_at):
        gs = [g + weight_decay * w for w, g in zip(ws, grad_at(ws))]
        ss = state["s"] or [torch.full_like(w, initial_accumulator_value) for w in ws]
        state["s"] = ss = [s + g**2 for s, g in zip(ss, gs)]
        return [w - lr * g / (s.sqrt() + eps) for w, g, s in zip(ws, gs, ss)]

    return step


def textbook_rmsprop(lr, alpha=0.99, eps=1e-8, weight_decay=0.0):
    state = {"v": None}

    def step(ws, grad_at):
        gs = [g + weight_decay * w for w, g in zip(ws, grad_at(ws))]
        vs = state["v"] or [torch.zeros_like(w) for w in ws]
        state["v"] = vs = [alpha * v + (1 - alpha) * g**2 for v, g in zip(vs, gs)]
        return [w - lr * g / (v.sqrt() + eps) for w, g, v in zip(ws, gs, vs)]

    return step


def textbook_adam(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    beta1, beta2 = betas
    state = {"t": 0, "m": None, "v": None}

    def step(ws, grad_at):
        state["t"] += 1
        t = state["t"]
        gs = [g + weight_decay * w for w, g in zip(ws, grad_at(ws))]
        ms = state["m"] or [torch.zeros_like(w) for w in ws]
        vs = state["v"] or [torch.zeros_like(w) for w in ws]
        state["m"] = ms = [beta1 * m + (1 - beta1) * g for m, g in zip(ms, gs)]
        state["v"] = vs = [beta2 * v + (1 - beta2) * g**2 for v, g in zip(vs, gs)]
        m_hats = [m / (1 - beta1**t) for m in ms]
        v_hats = [v / (1 - beta2**t) for v in vs]
        return [w - lr * mh / (vh.sqrt() + eps) for w, mh, vh in zip(ws, m_hats, v_hats)]

    return step


# ------------------------------------------------------------------- registry


@dataclass
class Case:
    ours: type
    torch_factory: (
        object  # (params, **hp) -> torch optimizer: a class, or a partial the kit can fill
    )
    textbook: object  # (**hp) -> step(ws, grad_at)
    hp: dict = field(default_factory=dict)  # non-default values, same names in torch


CASES = {
    "GD": Case(GD, torch.optim.SGD, textbook_gd, dict(lr=0.1)),
    "Momentum": Case(Momentum, torch.optim.SGD, textbook_momentum, dict(lr=0.05, momentum=0.8)),
    "NAG": Case(
        NAG, partial(torch.optim.SGD, nesterov=True), textbook_nag, dict(lr=0.05, momentum=0.8)
    ),
    "AdaGrad": Case(
        AdaGrad,
        torch.optim.Adagrad,
        textbook_adagrad,
        dict(lr=0.1, eps=1e-10, initial_accumulator_value=0.1),
    ),
    "RMSProp": Case(
        RMSProp, torch.optim.RMSprop, textbook_rmsprop, dict(lr=0.01, alpha=0.9, eps=1e-8)
    ),
    "Adam": Case(Adam, torch.optim.Adam, textbook_adam, dict(lr=0.01, betas=(0.8, 0.99), eps=1e-8)),
}
NAMES = list(CASES)


def make_ours(name, params, **overrides):
    case = CASES[name]
    return case.ours(params, **{**case.hp, **overrides})


# ----------------------------------------------- equivalence, step by step


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
@pytest.mark.parametrize("name", NAMES)
def test_matches_textbook_formula(name, weight_decay):
    model, inputs, targets = make_problem()
    optimizer = make_ours(name, model.parameters(), weight_decay=weight_decay)
    closure = closure_for(model, optimizer, inputs, targets)
    reference = CASES[name].textbook(**CASES[name].hp, weight_decay=weight_decay)
    grad_at = gradient_fn(model, inputs, targets)

    ws = values(model)
    for _ in range(STEPS):
        optimizer.step(closure)
        ws = reference(ws, grad_at)
        assert_close(values(model), ws)


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_nag_holds_w_while_torch_nesterov_holds_lookahead(weight_decay):
    """torch's θ_t = our w_t − γ·m_t at every step; our closure runs at that point."""
    model, inputs, targets = make_problem()
    torch_model = copy.deepcopy(model)
    hp = dict(CASES["NAG"].hp, weight_decay=weight_decay)
    gamma = hp["momentum"]
    ours = NAG(model.parameters(), **hp)
    theirs = torch.optim.SGD(torch_model.parameters(), nesterov=True, **hp)

    def our_closure():
        seen.append(values(model))
        return closure_for(model, ours, inputs, targets)()

    for _ in range(STEPS):
        seen = []
        before = values(torch_model)  # θ_{t-1}: where both take the gradient
        ours.step(our_closure)
        theirs.step(closure_for(torch_model, theirs, inputs, targets))
        assert_close(seen[0], before)
        lookahead = [
            p.detach() - gamma * ours.state[p]["momentum_buffer"] for p in model.parameters()
        ]
        assert_close(lookahead, values(torch_model))


def test_nag_step_without_closure_raises():
    model, _, _ = make_problem()
    optimizer = NAG(model.parameters(), lr=0.1)
    with pytest.raises((RuntimeError, ValueError), match="closure.*look-ahead"):
        optimizer.step()


def test_nag_moves_back_when_the_closure_raises():
    model, inputs, targets = make_problem()
    optimizer = NAG(model.parameters(), lr=0.1)
    optimizer.step(closure_for(model, optimizer, inputs, targets))
    before = values(model)

    def failing():
        raise KeyError("boom")

    with pytest.raises(KeyError):
        optimizer.step(failing)
    assert_close(values(model), before, rtol=0, atol=1e-15)


def test_momentum_under_lr_schedule_keeps_each_steps_lr_inside_m():
    """StepLR drops lr ×0.1 after 10 steps: identical to torch before, different after;
    ours follows the textbook m ← γ·m + η_t·g throughout."""
    model, inputs, targets = make_problem()
    torch_model = copy.deepcopy(model)
    lr, gamma, drop_after = 0.05, 0.8, 10
    ours = Momentum(model.parameters(), lr=lr, momentum=gamma)
    theirs = torch.optim.SGD(torch_model.parameters(), lr=lr, momentum=gamma)
    schedules = [
        torch.optim.lr_scheduler.StepLR(opt, step_size=drop_after, gamma=0.1)
        for opt in (ours, theirs)
    ]
    reference = textbook_momentum(lambda t: lr if t <= drop_after else lr * 0.1, momentum=gamma)
    grad_at = gradient_fn(model, inputs, targets)

    ws = values(model)
    for t in range(1, 2 * drop_after + 1):
        ours.step(closure_for(model, ours, inputs, targets))
        theirs.step(closure_for(torch_model, theirs, inputs, targets))
        for schedule in schedules:
            schedule.step()
        ws = reference(ws, grad_at)

        assert_close(values(model), ws)
        if t <= drop_after:
            assert_close(values(model), values(torch_model))
        else:
            gap = max(
                (a - b).abs().max().item() for a, b in zip(values(model), values(torch_model))
            )
            assert gap > 1e-6, f"step {t}: expected ours and torch to differ after the lr drop"


# ------------------------------------------------- behaves like a torch optimizer


@pytest.mark.parametrize("maximize", [False, True])
@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
@pytest.mark.parametrize("name", NAMES)
def test_passes_the_kit_against_torch(name, weight_decay, maximize):
    """Every check of nnref.testing, with torch's counterpart as the twin (built by the kit with
    the same hyperparameters).  Momentum and NAG differ from torch after an lr change, a declared
    difference of form (nnref.testing.KNOWN_FORMS); NAG is compared as θ = w − γ·m."""
    ours = partial(CASES[name].ours, **CASES[name].hp, weight_decay=weight_decay, maximize=maximize)
    report = check_optimizer(
        ours, twin=CASES[name].torch_factory, dtypes=(torch.float64, torch.float32)
    )
    assert report.ok, report


def step_n(model, optimizer, inputs, targets, n):
    for _ in range(n):
        optimizer.step(closure_for(model, optimizer, inputs, targets))


@pytest.mark.parametrize("name", NAMES)
def test_repr_names_the_hyperparameters(name):
    model, _, _ = make_problem()
    text = repr(make_ours(name, model.parameters(), weight_decay=0.01))
    assert text.startswith(name)
    for key, value in {**CASES[name].hp, "weight_decay": 0.01}.items():
        assert f"{key}: {value}" in text


BAD_ARGUMENTS = (
    [
        (cls, argument, value)
        for cls in (GD, Momentum, NAG, AdaGrad, RMSProp, Adam)
        for argument, value in [
            ("lr", -1.0),
            ("lr", math.nan),
            ("lr", "fast"),
            ("weight_decay", -0.1),
        ]
    ]
    + [
        (cls, argument, value)
        for cls, argument in [(Momentum, "momentum"), (NAG, "momentum"), (RMSProp, "alpha")]
        for value in (-0.1, 1.0, math.nan)
    ]
    + [(cls, "eps", value) for cls in (AdaGrad, RMSProp, Adam) for value in (-1e-8, math.nan)]
    + [
        (AdaGrad, "initial_accumulator_value", -1.0),
        (Adam, "betas", (1.0, 0.999)),
        (Adam, "betas", (0.9, -0.5)),
        (Adam, "betas", (0.9, math.nan)),
        (Adam, "betas", (0.9,)),
        (Adam, "betas", (0.9, 0.99, 0.999)),
        (Adam, "betas", 0.9),
    ]
)


@pytest.mark.parametrize(
    "cls, argument, value",
    BAD_ARGUMENTS,
    ids=[f"{c.__name__}-{a}-{v}" for c, a, v in BAD_ARGUMENTS],
)
def test_invalid_hyperparameter_raises_value_error_naming_it(cls, argument, value):
    params = [nn.Parameter(torch.zeros(2))]
    kwargs = {"lr": 0.1, argument: value}
    with pytest.raises(ValueError, match=re.escape(f"Invalid {argument}")):
        cls(params, **kwargs)


# ------------------------------------------------------------------ convergence


# f(w) = ½(w₀² + 25·w₁²): curvatures 1 and 25 (condition number 25), minimum at 0.
# Step counts stop well after ||w|| < 1e-6.  (Run RMSProp/Adam far longer and they
# bounce back: once √v ≪ ε the update is GD with step η/ε, which is unstable.)
CONVERGENCE = {
    "GD": (dict(lr=0.07), 300),
    "Momentum": (dict(lr=0.04, momentum=0.6), 200),
    "NAG": (dict(lr=0.04, momentum=0.6), 200),
    "AdaGrad": (dict(lr=0.5), 300),
    "RMSProp": (dict(lr=0.05, alpha=0.99), 200),
    "Adam": (dict(lr=0.05, betas=(0.9, 0.999)), 400),
}


@pytest.mark.parametrize("name", NAMES)
def test_converges_on_ill_conditioned_quadratic(name):
    hp, steps = CONVERGENCE[name]
    w = nn.Parameter(torch.tensor([3.0, -2.0], dtype=torch.float64))
    curvature = torch.tensor([1.0, 25.0], dtype=torch.float64)
    optimizer = CASES[name].ours([w], **hp)

    def closure():
        optimizer.zero_grad()
        loss = 0.5 * (curvature * w**2).sum()
        loss.backward()
        return loss

    for _ in range(steps):
        optimizer.step(closure)
    assert w.detach().norm().item() < 1e-6


# ------------------------------------- ours against torch on any parameters and loss
# loss_at(params, t) -> scalar loss at step t (0, 1, ...), so a problem can change its
# batch from step to step (sparse gradients touching different rows).


def held_point(optimizer, params):
    """What torch's counterpart holds: w, or for NAG the look-ahead point w − γ·m."""
    if not isinstance(optimizer, NAG):
        return [p.detach() for p in params]
    gamma = optimizer.param_groups[0]["momentum"]
    return [
        p.detach() - gamma * optimizer.state[p]["momentum_buffer"]
        if optimizer.state[p]
        else p.detach()
        for p in params
    ]


def run_step(optimizer, loss_at, params, t):
    def closure():
        optimizer.zero_grad()
        loss = loss_at(params, t)
        loss.backward()
        return loss

    return optimizer.step(closure)


def clone_params(initial):
    return [nn.Parameter(w.detach().clone()) for w in initial]


def assert_tracks_torch(name, initial, loss_at, steps=10, torch_loss_at=None, **overrides):
    """nnref's optimizer and torch's counterpart from the same start, compared after every
    step.  torch_loss_at: torch's side of the problem, if it differs (a dense gradient)."""
    hp = {**CASES[name].hp, **overrides}
    ours_params, torch_params = clone_params(initial), clone_params(initial)
    ours = CASES[name].ours(ours_params, **hp)
    theirs = CASES[name].torch_factory(torch_params, **hp)
    for t in range(steps):
        run_step(ours, loss_at, ours_params, t)
        run_step(theirs, torch_loss_at or loss_at, torch_params, t)
        assert_close(held_point(ours, ours_params), [p.detach() for p in torch_params])
    assert not torch.equal(ours_params[0].detach(), initial[0])  # the comparison was not vacuous
    return ours, ours_params


def mlp_problem():
    """The float64 MLP problem of the tests above, as (initial params, loss_at)."""
    model, inputs, targets = make_problem()
    names = [name for name, _ in model.named_parameters()]

    def loss_at(params, t):
        return loss_of(model, inputs, targets, dict(zip(names, params)))

    return values(model), loss_at


# --------------------------------------------------------------- complex parameters


def complex_problem(dtype, shape, seed=0):
    """E(w) = Σ|c∘w − b|² + Σ(Re w)⁴: the gradient's re and im parts differ in size,
    so squaring per real coordinate and squaring the complex number disagree."""
    generator = torch.Generator().manual_seed(seed)
    c, b, w = (torch.randn(shape, dtype=dtype, generator=generator) for _ in range(3))

    def loss_at(params, t):
        (p,) = params
        z = c * p - b
        return (z.real**2 + z.imag**2).sum() + (p.real**4).sum()

    return [w], loss_at


@pytest.mark.parametrize("dtype", [torch.complex128, torch.complex64])
@pytest.mark.parametrize("name", NAMES)
def test_complex_state_keeps_the_parameter_dtype(name, dtype):
    """Like torch's.  (Equality with torch, and with the real pair (Re w, Im w), is in the kit.)"""
    initial, loss_at = complex_problem(dtype, (3, 4))
    params = clone_params(initial)
    optimizer = make_ours(name, params, lr=0.01)
    for t in range(3):
        run_step(optimizer, loss_at, params, t)
    assert params[0].dtype == dtype
    for value in optimizer.state[params[0]].values():
        assert not torch.is_tensor(value) or value.dtype == dtype


@pytest.mark.parametrize("name", NAMES)
def test_complex_gradient_along_the_imaginary_axis_moves_only_the_imaginary_part(name):
    w, twin = (nn.Parameter(torch.zeros(1, dtype=torch.complex128)) for _ in range(2))
    ours = make_ours(name, [w], lr=0.1)
    theirs = CASES[name].torch_factory([twin], **{**CASES[name].hp, "lr": 0.1})
    for optimizer, p in ((ours, w), (theirs, twin)):
        p.grad = torch.tensor([1j], dtype=torch.complex128)
        optimizer.step(lambda: None)  # NAG needs a closure; the grad is already set
    assert_close(held_point(ours, [w]), [twin.detach()])
    assert w.real.item() == 0.0 and w.imag.item() < 0


def test_adagrad_complex_example_from_the_issue():
    """g = 1j, lr = 0.1: the complex square g·g = −1 sent the step along the real axis
    (−0.1); per real coordinate it is −0.1j, as torch's Adagrad gives."""
    w = nn.Parameter(torch.zeros(1, dtype=torch.complex128))
    optimizer = AdaGrad([w], lr=0.1)
    w.grad = torch.tensor([1j], dtype=torch.complex128)
    optimizer.step()
    assert_close(w.detach(), torch.tensor([-0.1j], dtype=torch.complex128))


@pytest.mark.parametrize("name", NAMES)
def test_complex_state_dict_round_trips_through_weights_only_load(name, tmp_path):
    initial, loss_at = complex_problem(torch.complex64, (3, 4))
    params = clone_params(initial)
    optimizer = make_ours(name, params, lr=0.01)
    for t in range(3):
        run_step(optimizer, loss_at, params, t)
    torch.save(optimizer.state_dict(), tmp_path / "optim.pt")

    twin = clone_params(params)
    twin_optimizer = make_ours(name, twin, lr=123.0)
    twin_optimizer.load_state_dict(torch.load(tmp_path / "optim.pt", weights_only=True))
    for t in range(3, 6):
        run_step(optimizer, loss_at, params, t)
        run_step(twin_optimizer, loss_at, twin, t)
        assert torch.equal(params[0].detach(), twin[0].detach())


@pytest.mark.parametrize("name", NAMES)
def test_a_state_dict_without_any_one_group_flag_loads_and_steps_as_the_whole_one(name):
    """A state dict saved before a flag existed (torch's own tests delete the newer flags) loads,
    and the next steps are those of the whole dict: the missing flag takes its default."""
    model, inputs, targets = make_problem()
    # every flag at its default (the case's lr only), as a dict saved before it existed implies
    build = partial(CASES[name].ours, lr=CASES[name].hp["lr"])
    optimizer = build(model.parameters())
    optimizer.step(closure_for(model, optimizer, inputs, targets))
    saved = copy.deepcopy(optimizer.state_dict())
    weights = copy.deepcopy(model.state_dict())
    constructor = inspect.signature(type(optimizer).__init__).parameters
    flags = [k for k in saved["param_groups"][0] if k not in ("params", "lr")]
    assert "maximize" in flags
    after = {}
    for flag in [None, *flags]:
        model.load_state_dict(weights)
        state = copy.deepcopy(saved)
        if flag is not None:
            # a saved value other than the default would change the steps: this one is default
            assert state["param_groups"][0][flag] == constructor[flag].default, flag
            del state["param_groups"][0][flag]
        fresh = build(model.parameters())
        fresh.load_state_dict(state)
        for _ in range(3):
            fresh.step(closure_for(model, fresh, inputs, targets))
        after[flag] = [p.detach().clone() for p in model.parameters()]
    for flag in flags:
        for a, b in zip(after[flag], after[None]):
            assert torch.equal(a, b), flag


# ---------------------------------------------------------------- sparse gradients

ROWS, DIM = 10, 3
# Each step's rows, with repeats (a sparse gradient must be coalesced before squaring);
# rows 8 and 9 are never touched, row 7 only at the last step.
BATCHES = [[0, 1, 1, 4], [2, 4, 4, 4, 5], [0, 3, 6], [1, 5, 5, 2], [6, 0, 7]]


def embedding_problem(sparse, seed=0):
    """An embedding table w (ROWS × DIM, float64) in a regression on the rows each step
    looks up: F.embedding(sparse=True) gives a sparse COO gradient, as nn.Embedding(sparse=True)."""
    generator = torch.Generator().manual_seed(seed)
    w = torch.randn(ROWS, DIM, dtype=torch.float64, generator=generator)
    xs = [torch.randn(len(rows), DIM, dtype=torch.float64, generator=generator) for rows in BATCHES]
    ys = [torch.randn(len(rows), dtype=torch.float64, generator=generator) for rows in BATCHES]

    def loss_at(params, t):
        rows = torch.tensor(BATCHES[t % len(BATCHES)])
        looked_up = nn.functional.embedding(rows, params[0], sparse=sparse)
        prediction = (looked_up * xs[t % len(BATCHES)]).sum(1)
        return (prediction - ys[t % len(BATCHES)]).pow(2).mean() + 0.1 * looked_up.pow(4).sum()

    return [w], loss_at


def test_embedding_problem_gives_sparse_gradients():
    (w,), loss_at = embedding_problem(sparse=True)
    w = nn.Parameter(w)
    loss_at([w], 0).backward()
    assert w.grad.is_sparse and not w.grad.is_coalesced()


@pytest.mark.parametrize("name", ["GD", "Momentum", "NAG", "AdaGrad"])
def test_sparse_gradients_give_the_dense_result(name):
    initial, sparse_loss = embedding_problem(sparse=True)
    _, dense_loss = embedding_problem(sparse=False)
    sparse_params, dense_params = clone_params(initial), clone_params(initial)
    on_sparse, on_dense = make_ours(name, sparse_params), make_ours(name, dense_params)
    for t in range(len(BATCHES)):
        run_step(on_sparse, sparse_loss, sparse_params, t)
        run_step(on_dense, dense_loss, dense_params, t)
        assert_close(sparse_params[0].detach(), dense_params[0].detach())
    for key, value in on_dense.state[dense_params[0]].items():
        assert_close(on_sparse.state[sparse_params[0]][key], value)


@pytest.mark.parametrize("name", ["GD", "Momentum", "NAG"])
def test_sparse_gradients_with_weight_decay_give_the_dense_result(name):
    """torch's SGD fails here (add(sparse, dense)); ours decays every row, as the formula
    says: the same as the dense gradient, i.e. as torch's SGD on a dense embedding."""
    initial, sparse_loss = embedding_problem(sparse=True)
    _, dense_loss = embedding_problem(sparse=False)
    assert_tracks_torch(
        name, initial, sparse_loss, steps=len(BATCHES), torch_loss_at=dense_loss, weight_decay=0.01
    )


def test_adagrad_sparse_update_leaves_untouched_rows_alone():
    initial, sparse_loss = embedding_problem(sparse=True)
    (w,) = params = clone_params(initial)
    optimizer = make_ours("AdaGrad", params)
    for t in range(len(BATCHES) - 1):  # row 7 comes only in the last batch
        run_step(optimizer, sparse_loss, params, t)
    untouched = [7, 8, 9]
    assert torch.equal(w.detach()[untouched], initial[0][untouched])
    s = optimizer.state[w]["sum"]
    assert not s.is_sparse
    assert (s[untouched] == CASES["AdaGrad"].hp["initial_accumulator_value"]).all()


def random_sparse_grad(shape, sparse_dim, dtype, generator):
    """An uncoalesced COO gradient: 6 entries (one index repeated) over the first sparse_dim
    dims."""
    indices = torch.stack(
        [torch.randint(0, n, (6,), generator=generator) for n in shape[:sparse_dim]]
    )
    indices[:, 5] = indices[:, 0]
    values = torch.randn(6, *shape[sparse_dim:], dtype=dtype, generator=generator)
    return torch.sparse_coo_tensor(indices, values, shape, check_invariants=True)


@pytest.mark.parametrize("maximize", [False, True])
@pytest.mark.parametrize("sparse_dim", [1, 2])
@pytest.mark.parametrize("dtype", [torch.float64, torch.complex128, torch.complex64])
def test_adagrad_sparse_gradient_matches_torch_on_the_dense_gradient(dtype, sparse_dim, maximize):
    """Hand-made sparse gradients, also fully sparse (sparse_dim 2) and complex (which
    nn.Embedding cannot give).  For complex, torch's own sparse path squares the complex
    number, so the reference is torch on the dense gradient (per real coordinate)."""
    generator = torch.Generator().manual_seed(0)
    initial = torch.randn(ROWS, DIM, dtype=dtype, generator=generator)
    w, twin = nn.Parameter(initial.clone()), nn.Parameter(initial.clone())
    hp = dict(CASES["AdaGrad"].hp, maximize=maximize)
    ours, theirs = AdaGrad([w], **hp), torch.optim.Adagrad([twin], **hp)
    for _ in range(5):
        w.grad = random_sparse_grad((ROWS, DIM), sparse_dim, dtype, generator)
        twin.grad = w.grad.to_dense()
        ours.step()
        theirs.step()
        assert_close(w.detach(), twin.detach())
        assert_close(ours.state[w]["sum"], theirs.state[twin]["sum"])


@pytest.mark.parametrize("name", ["AdaGrad", "RMSProp", "Adam"])
def test_sparse_gradients_refused_where_torch_refuses(name):
    """RMSProp and Adam refuse sparse gradients; AdaGrad refuses them with weight_decay."""
    initial, sparse_loss = embedding_problem(sparse=True)
    params = clone_params(initial)
    optimizer = make_ours(name, params, weight_decay=0.01 if name == "AdaGrad" else 0.0)
    message = {
        "AdaGrad": "AdaGrad: weight_decay is not compatible with sparse gradients",
        "RMSProp": "RMSProp does not support sparse gradients",
        "Adam": "Adam does not support sparse gradients, please consider torch.optim.SparseAdam",
    }[name]
    with pytest.raises(RuntimeError, match=re.escape(message)):
        run_step(optimizer, sparse_loss, params, 0)
    assert torch.equal(params[0].detach(), initial[0])
    assert len(optimizer.state.get(params[0], {})) == 0


# ------------------------------------------------------------------------ maximize


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
@pytest.mark.parametrize("name", NAMES)
def test_maximize_on_loss_is_minimize_on_its_negative(name, weight_decay):
    """−(−g) = g exactly, so the two runs agree bit for bit."""
    initial, loss_at = mlp_problem()
    up, down = clone_params(initial), clone_params(initial)
    maximizing = make_ours(name, up, maximize=True, weight_decay=weight_decay)
    minimizing = make_ours(name, down, weight_decay=weight_decay)
    for t in range(STEPS):
        run_step(maximizing, loss_at, up, t)
        run_step(minimizing, lambda ps, t: -loss_at(ps, t), down, t)
        for a, b in zip(up, down):
            assert torch.equal(a.detach(), b.detach())


@pytest.mark.parametrize("name", NAMES)
def test_maximize_is_a_param_group_default(name):
    model, _, _ = make_problem()
    optimizer = make_ours(
        name,
        [{"params": model[0].parameters()}, {"params": model[2].parameters(), "maximize": True}],
    )
    assert optimizer.defaults["maximize"] is False
    assert [group["maximize"] for group in optimizer.param_groups] == [False, True]
    assert (
        CASES[name].ours(model.parameters(), **CASES[name].hp, maximize=True).defaults["maximize"]
        is True
    )


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("value", ["False", 1, None])
def test_maximize_must_be_a_bool(name, value):
    with pytest.raises(
        ValueError, match=re.escape(f"Invalid maximize: {value!r} (must be True or False)")
    ):
        CASES[name].ours([nn.Parameter(torch.zeros(2))], lr=0.1, maximize=value)


# ----------------------------------------------------------------------- tensor lr


@pytest.mark.parametrize("shape", [(), (1,)], ids=["0d", "1-element-1d"])
@pytest.mark.parametrize("name", NAMES)
def test_one_element_tensor_lr_matches_torch_and_a_float_lr(name, shape):
    initial, loss_at = mlp_problem()
    lr = torch.full(shape, CASES[name].hp["lr"], dtype=torch.float64)
    ours, params = assert_tracks_torch(name, initial, loss_at, lr=lr)
    float_params = clone_params(initial)
    with_float = make_ours(name, float_params)
    for t in range(10):
        run_step(with_float, loss_at, float_params, t)
    for a, b in zip(params, float_params):
        assert torch.equal(a.detach(), b.detach())
    assert ours.param_groups[0]["lr"] is lr


@pytest.mark.parametrize("name", NAMES)
def test_tensor_lr_with_more_than_one_element_names_its_shape(name):
    lr = torch.tensor([1e-3, 1e-3])
    message = "Invalid lr: tensor of shape (2,) (Tensor lr must be 1-element)"
    with pytest.raises(ValueError, match=re.escape(message)):
        CASES[name].ours([nn.Parameter(torch.zeros(2))], lr=lr)
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):  # torch's words
        CASES[name].torch_factory([nn.Parameter(torch.zeros(2))], lr=lr)
    with pytest.raises(ValueError, match=re.escape("Invalid lr: tensor of shape (2, 1)")):
        CASES[name].ours([nn.Parameter(torch.zeros(2))], lr=torch.ones(2, 1))


def test_the_course_table_names_each_optimizer_its_default_lr_form_and_twin():
    from nnref.optim import OPTIMIZERS

    assert list(OPTIMIZERS) == ["gd", "momentum", "nag", "adagrad", "rmsprop", "adam"]
    for _name, entry in OPTIMIZERS.items():
        w = torch.zeros(2, requires_grad=True)
        optimizer = entry.build([w])
        assert type(optimizer) is entry.cls and optimizer.defaults["lr"] == entry.lr
        twin = entry.twin(
            [torch.zeros(2, requires_grad=True)], **entry.hyperparameters(), **entry.twin_settings
        )
        assert (
            isinstance(twin, torch.optim.Optimizer)
            and entry.form
            and entry.twin_name.startswith("torch_")
        )
