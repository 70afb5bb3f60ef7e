"""The notebooks' exercises, each checked against nnref's own reference on several cases.

    from nnref.testing import check_exercise
    check_exercise("softmax", softmax)          # in a notebook: the report as a table

A function exercise is called on cases that include the awkward ones (large logits, a single
sample, an odd batch size, classes in a given order); its result is held to the reference of the
lecture's formula, and a wrong result is matched against the likely mistakes, so that the failing
row says which one it looks like (forgot y(1 − y); normalised over the wrong axis; ...). An
optimizer exercise runs `check_optimizer(scope="course")` against nnref's own class, then, where
the steps differ, the same matching. A report never shows the solution: only the rule that broke,
the first numbers that differ, and the hint; and of a case drawn from a seed, not even those.

A check is a probe (probes.py: the student's code run on the cases, its results read as plain
data) and a judge (`judge_exercise`, here: that data held to the reference). A notebook runs both
in its own process; the grader (nnref.grading) runs the probe in a process of its own and the
judge in its own, on the same data, so both show the same report.

A check never crashes the notebook: code that raises gives a failing row with the exception's one
line, code that runs past the time limit is stopped (in the main thread, where a notebook runs its
cells), and the stub a student starts from (`raise NotImplementedError`) gives "not done yet".
"""

from __future__ import annotations

import torch

from nnref.locale.messages import Message, _
from nnref.optim import OPTIMIZERS

from . import plain
from .cases import BATCHES, EXERCISES, OPTIMIZER, D, Exercise
from .optimizers import KitError, judged_rows, subject_of, through_json
from .probes import TIME_LIMIT_S, fits, probe_exercise
from .problems import error_line, first_parting, quadratic, try_path
from .references import OPTIMIZER_MISTAKES, REFERENCES, close
from .report import FAIL, PASS, TODO, Report, Row

__all__ = ["EXERCISES", "check_exercise", "judge_exercise", "TIME_LIMIT_S"]


def check_exercise(name: str, obj, *, time_limit_s: float = TIME_LIMIT_S, seed=None) -> Report:
    """The exercise `name` (a notebook's function or class) held to the lecture and, for an
    optimizer, to what every well-made torch.optim.Optimizer does. Never raises for the student's
    code: what it did becomes the report's rows. With a seed, cases drawn from it are added
    (hidden: their rows never show expected values)."""
    if name not in EXERCISES:
        raise KitError(
            _(
                "exercise {name!r}: unknown; exercises: {names}",
                name=name,
                names=", ".join(EXERCISES),
            )
        )
    data = probe_exercise(
        name, obj, seconds=time_limit_s, seed=seed, closure=steps_with_closure(name)
    )
    return judge_exercise(name, through_json(data), seed=seed)


def steps_with_closure(name: str) -> bool:
    """NAG takes its gradient inside step(closure), at the look-ahead point: nnref's class says
    so, and the student's is stepped the same way."""
    table_name = EXERCISES[name].optimizer
    return bool(table_name and getattr(OPTIMIZERS[table_name].cls, "gradient_at_lookahead", False))


def judge_exercise(name: str, data: dict, *, seed=None) -> Report:
    """The report of an exercise from its probe's data (probes.probe_exercise) and its seed."""
    ex = EXERCISES[name]
    subject = _("{exercise}, lecture {lecture}", exercise=ex.shown, lecture=ex.lecture)
    if data.get("todo"):
        row = Row(ex.shown, TODO, _("not done yet: it still raises NotImplementedError"))
        return Report(subject, [row])
    rows = [signature_row(ex, data["signature"])]
    if "stopped" in data:
        rows.append(Row(_("the checks"), FAIL, stopped(data["stopped"])))
    elif ex.kind == OPTIMIZER:
        rows += optimizer_rows(ex, data, seed) if rows[0].ok else []
    elif ex.kind == BATCHES:
        rows += batches_rows(ex, data, seed)
    else:
        rows += function_rows(ex, data, seed)
    return Report(subject, rows)


def stopped(seconds: str) -> str:
    return _("ran too long and was stopped (stopped after {seconds} s)", seconds=seconds)


def signature_row(ex: Exercise, data: dict) -> Row:
    name = _("signature {exercise}", exercise=ex.shown)
    if "unreadable" in data:
        return Row(name, FAIL, _("{thing} is not a function or class", thing=data["unreadable"]))
    if ex.kind == OPTIMIZER and not data["optimizer"]:
        return Row(
            name, FAIL, _("expected a torch.optim.Optimizer subclass {shown}", shown=ex.shown)
        )
    if not fits(ex, data):
        got = f"{ex.name}({', '.join(data['parameters'])})"
        return Row(name, FAIL, _("expected {shown}, got {got}", shown=ex.shown, got=got))
    return Row(name, PASS)


# ------------------------------------------------------------------ function exercises
HIDDEN = _("wrong on this case, whose values are not shown (it is drawn from the grader's seed)")


def with_hint(problem, hint):
    return _("{problem} — likely mistake: {hint}", problem=problem, hint=hint) if hint else problem


def hint_of(detail) -> Message | None:
    """The likely mistake a row's detail names (with_hint), if it names one."""
    if isinstance(detail, Message) and detail.msgid == "{problem} — likely mistake: {hint}":
        return detail.params["hint"]
    return None


def case_row(ex: Exercise, case, outcome: dict) -> Row:
    """A case's row from what the call did (probes.outcome)."""
    if "stopped" in outcome:
        return Row(case.name, FAIL, stopped(outcome["stopped"]))
    if "raised" in outcome:
        return Row(case.name, FAIL, _("raised {error}", error=outcome["raised"]))
    reference = REFERENCES[ex.name]
    inputs = case.inputs()
    expected = reference.formula(*inputs)
    got = plain.value(outcome["result"])
    compare = reference.compare or (lambda got, expected, inputs: close(got, expected))
    problem = compare(got, expected, inputs)
    if problem is None:
        return Row(case.name, PASS)
    hint = next(
        (h for h, wrong in reference.mistakes if matches(compare, got, wrong, inputs)), None
    )
    return Row(case.name, FAIL, with_hint(HIDDEN if case.hidden else problem, hint))


def function_rows(ex: Exercise, data: dict, seed) -> list[Row]:
    cases = ex.cases_for(seed)
    return [case_row(ex, case, outcome) for case, outcome in zip(cases, data["cases"], strict=True)]


def matches(compare, got, wrong, inputs) -> bool:
    """Whether `got` is what the mistake `wrong` gives on these inputs (NaN where it gives NaN)."""
    try:
        with torch.no_grad():
            made = wrong(*inputs)
        if torch.is_tensor(got) and torch.is_tensor(made) and got.shape == made.shape:
            return torch.allclose(got.to(D), made.to(D), rtol=1e-6, atol=1e-9, equal_nan=True)
        return compare(got, made, inputs) is None
    except Exception:  # noqa: BLE001 - a mistake that cannot even be made here is not this one
        return False


# ------------------------------------------------------------------ 05 batching
ORDER = _("the order comes from `generator`")


def batches_rows(ex: Exercise, data: dict, seed) -> list[Row]:
    rows = []
    for case, outcome in zip(ex.cases_for(seed), data["cases"], strict=True):
        if "raised" in outcome:
            rows.append(Row(case.name, FAIL, _("raised {error}", error=outcome["raised"])))
            continue
        n, size, _generator = case.inputs()
        status, detail = minibatch_problem(plain.value(outcome["result"]), n, size)
        rows.append(Row(case.name, status, HIDDEN if status == FAIL and case.hidden else detail))
    return [*rows, order_row(data["order"])]


def order_row(order: list[dict]) -> Row:
    try:
        raised = next((o["raised"] for o in order if "raised" in o), None)
        if raised:
            return Row(ORDER, FAIL, _("raised {error}", error=raised))
        got = [plain.value(o["result"]) for o in order]
        flat = [torch.cat(list(x)).tolist() if x else [] for x in got]
    except Exception as error:  # noqa: BLE001 - what the student returned cannot be joined
        return Row(ORDER, FAIL, _("raised {error}", error=error_line(error)))
    if flat[0] != flat[1] or flat[0] != flat[3]:
        return Row(
            ORDER,
            FAIL,
            _(
                "the same generator seed gave another order: draw it from `generator` "
                "(torch.randperm(n, generator=generator)), not from the global one"
            ),
        )
    if flat[0] == flat[2]:
        return Row(
            ORDER,
            FAIL,
            _("two generator seeds gave the same order: the order is not drawn from it"),
        )
    if flat[0] == list(range(50)):
        return Row(
            ORDER, FAIL, _("the rows in their own order: an epoch visits them in a random order")
        )
    return Row(ORDER, PASS)


def minibatch_problem(got, n, size) -> tuple[str, str]:
    if not isinstance(got, (list, tuple)):
        return FAIL, _(
            "returned {type}; expected a list of LongTensor index batches",
            type=plain.type_name(got),
        )
    if any(not torch.is_tensor(b) or b.dtype != torch.long for b in got):
        return FAIL, _("each batch must be a LongTensor of row indices (torch.long)")
    if any(b.dim() != 1 for b in got):
        # a 0-d index (one row, not a batch of one) or a 2-d one cannot be joined into the epoch
        shapes = sorted({tuple(b.shape) for b in got if b.dim() != 1})
        return FAIL, _(
            "a batch of shape {shape}; each batch must be 1-d: (rows in the batch,)",
            shape=str(shapes[0]),
        )
    seen = torch.cat(list(got)).tolist() if got else []
    if sorted(seen) != list(range(n)):
        repeated = len(seen) - len(set(seen))
        missing = n - len(set(seen) & set(range(n)))
        return FAIL, _(
            "{repeated} rows visited twice and {missing} never: each epoch visits every "
            "sample exactly once (a permutation, not draws with replacement)",
            repeated=repeated,
            missing=missing,
        )
    sizes = [len(b) for b in got]
    want = [size] * (n // size) + ([n % size] if n % size else [])
    want = want if size <= n else [n]
    if sizes != want:
        return FAIL, _(
            "batch sizes {sizes}; expected {want}: batch_size rows each, the last may be short",
            sizes=str(sizes),
            want=str(want),
        )
    return PASS, ""


# ------------------------------------------------------------------ 06, 07 optimizers


def optimizer_rows(ex: Exercise, data: dict, seed) -> list[Row]:
    try:
        subject = subject_of(data["optimizer"], twin=ex.optimizer)
    except KitError as error:
        return [Row(_("build it"), FAIL, error.args[0])]
    rows = judged_rows(
        data["optimizer"], subject, dtypes=(torch.float64,), scope="course", seed=seed
    )
    if not any(is_twin(row) and row.status == FAIL for row in rows):
        return rows
    hint = optimizer_hint(ex, data["hint_path"])
    if not hint:
        return rows
    return [
        Row(r.check, r.status, with_hint(r.detail, hint)) if is_twin(r) and r.status == FAIL else r
        for r in rows
    ]


def is_twin(row: Row) -> bool:
    return row.check.startswith("twin:")


def optimizer_hint(ex: Exercise, hint_path: dict) -> str | None:
    """The likely mistake whose path on the quadratic is the student's, if one is."""
    if "raised" in hint_path:
        return None
    ours = [plain.values(point) for point in hint_path["path"]]
    for hint, make in OPTIMIZER_MISTAKES.get(ex.name, []):
        theirs, error = try_path(
            lambda p, make=make: make(p, **ex.hyperparameters), quadratic(D), closure=True, steps=8
        )
        if not error and first_parting(ours, theirs) is None:
            return hint
    return None
