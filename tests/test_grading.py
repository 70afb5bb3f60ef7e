"""nnref-grade on a synthetic class built from the notebooks' student and teacher editions: right,
wrong, not done and missing work, and hostile notebooks (a loop, memory, os._exit, SystemExit,
KeyboardInterrupt, a monkeypatched checker, a lying tensor, nnref imported, a flood of output,
broken JSON, stripped tags, renamed files, duplicated cells, hard-coded answers). The class is
graded once (a module fixture); the tests read its outputs. Every cell of grades.csv is asserted,
and a run killed half-way and started again gives the same grades.csv."""

import copy
import csv
import functools
import inspect
import json
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile

import nbformat
import pytest
from conftest import ROOT
from support.wrong_answers import AdamWithoutCorrection

from nnref.grading.cli import main
from nnref.grading.notebook import code_cells, last_definitions, program
from nnref.grading.submissions import find_students
from nnref.locale import unwanted
from nnref.testing.cases import EXERCISES
from nnref.testing.references import sigmoid_mse_grad_reference

sys.path.insert(0, str(ROOT / "scripts"))
import notebooks  # noqa: E402

# One worker grades the class (a module fixture), and every test that reads it runs there.
pytestmark = pytest.mark.xdist_group("grading")
SEED = 11
OPTIONS = ["--seed", str(SEED), "--time-limit", "5", "--memory-limit", "600", "--jobs", "2"]
GUARD_S = 300  # a guard against a hung run only


@functools.cache
def edition_of(name: str, kind: str):
    return notebooks.edition(name, kind)


def edition(name: str, kind: str):
    return copy.deepcopy(edition_of(name, kind))


def number(name: str) -> str:
    return next(n for n in notebooks.names() if n.startswith(name))


def replaced(nb, exercise: str, source: str):
    """The notebook with the cell that defines `exercise` holding `source` instead."""
    cell = next(c for c in nb.cells if re.search(rf"^(def|class) {exercise}\b", c.source, re.M))
    cell.source = source
    return nb


def teacher_cell(exercise: str) -> str:
    nb = edition_of(number(EXERCISES[exercise].notebook), "teacher")
    return next(
        c.source for c in nb.cells if re.search(rf"^(def|class) {exercise}\b", c.source, re.M)
    )


def write(path, nb) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


# ------------------------------------------------------------------ the wrong and the hostile
WRONG = {
    "sigmoid_mse_grad": "def sigmoid_mse_grad(net, t):\n    return -(t - torch.sigmoid(net))\n",
    "binary_cross_entropy": (
        "def binary_cross_entropy(y, t):\n    return -(t * torch.log(y)).mean()\n"
    ),
    "one_hot": (
        "def one_hot(labels, classes):\n    order = sorted(classes)\n"
        "    rows = torch.zeros(len(labels), len(classes))\n"
        "    for i, label in enumerate(labels):\n        rows[i, order.index(label)] = 1.0\n"
        "    return rows\n"
    ),
    "softmax": (
        "def softmax(net):\n    return torch.exp(net) / torch.exp(net).sum(dim=0, keepdim=True)\n"
    ),
    "cross_entropy": "def cross_entropy(y, t):\n    return -(t * torch.log(y)).sum()\n",
    "minibatches": (
        "def minibatches(n, batch_size, generator):\n"
        "    return list(torch.randint(0, n, (n,), generator=generator).split(batch_size))\n"
    ),
}
# The student's Adam as its source text, the class named as the exercise asks.
ADAM_WITHOUT_CORRECTION = inspect.getsource(AdamWithoutCorrection).replace(
    "class AdamWithoutCorrection(", "class Adam("
)
LOOP = "def one_hot(labels, classes):\n    while True:\n        pass\n"
MEMORY = "def cross_entropy(y, t):\n    waste = torch.ones(10**11)\n    return waste.sum()\n"
EXIT_WHILE_CHECKED = "import os\n\ndef sigmoid_mse_grad(net, t):\n    os._exit(3)\n"
MONKEYPATCHED = """
import torch.testing
import nnref.testing
torch.allclose = lambda *args, **kwargs: True
torch.equal = lambda *args, **kwargs: True
torch.testing.assert_close = lambda *args, **kwargs: None
torch.Tensor.tolist = lambda self: [0.5]
nnref.testing.check_exercise = lambda *args, **kwargs: print("all passed")

def multilabel_loss(net, t):
    return torch.zeros(())
"""
LIAR = """
class Liar(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func in (torch.allclose, torch.equal, torch.Tensor.tolist, torch.Tensor.__eq__):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})

def softmax(net):
    return torch.zeros_like(net).as_subclass(Liar)
"""
USES_NNREF = (
    "from nnref.optim import Momentum as Reference\n\nclass Momentum(Reference):\n    pass\n"
)
FLOOD = (
    "def minibatches(n, batch_size, generator):\n    print('x' * 3_000_000)\n"
    "    order = torch.randperm(n, generator=generator)\n    return list(order.split(batch_size))\n"
)
# NAG written on the student's own Momentum (an earlier cell): its step alone.
NAG_ON_MOMENTUM = (
    "class NAG(Momentum):\n    @torch.no_grad()"
    + teacher_cell("NAG").split("@torch.no_grad()", 1)[1]
)


def hard_coded() -> str:
    """sigmoid_mse_grad that knows the public cases' answers and nothing else."""
    answers = {}
    for case in EXERCISES["sigmoid_mse_grad"].cases:
        net, t = case.inputs()
        answers[tuple(net.flatten().tolist())] = sigmoid_mse_grad_reference(net, t).tolist()
    return (
        f"ANSWERS = {answers!r}\n\ndef sigmoid_mse_grad(net, t):\n"
        "    known = ANSWERS.get(tuple(net.flatten().tolist()))\n"
        "    if known is None:\n        return torch.zeros_like(net)\n"
        "    return torch.tensor(known, dtype=net.dtype)\n"
    )


def build_class(root):
    """Six students; their ids sort as s1 ... s6."""
    for name in notebooks.names():
        write(root / "s1-right" / f"{name}.ipynb", edition(name, "teacher"))
        write(root / "s3-not-done" / f"{name}.ipynb", edition(name, "student"))
    # s2: wrong answers in four notebooks; 01, 04 and 06 not handed in
    for name in ("02", "03", "05"):
        nb = edition(number(name), "teacher")
        for exercise in [e for e, ex in EXERCISES.items() if ex.notebook == name]:
            nb = replaced(nb, exercise, WRONG[exercise])
        write(root / "s2-wrong" / f"{number(name)}.ipynb", nb)
    nb = replaced(edition(number("07"), "teacher"), "Adam", ADAM_WITHOUT_CORRECTION)
    write(root / "s2-wrong" / f"{number('07')}.ipynb", nb)
    # s4: one notebook, renamed, its tags stripped, beside files that are not notebooks
    nb = edition(number("01"), "teacher")
    for cell in nb.cells:
        cell.metadata.pop("tags", None)
    write(root / "s4-missing" / "homework one.ipynb", nb)
    (root / "s4-missing" / "notes.txt").write_text("my notes")
    build_hostile(root)


def twice(nb, exercise: str, first: str, second: str):
    """The exercise's cell as `first`, then a copy of it right after as `second`."""
    nb = replaced(nb, exercise, first)
    at = next(i for i, c in enumerate(nb.cells) if c.source == first)
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(second))
    return nb


def stub(exercise: str) -> str:
    nb = edition_of(number(EXERCISES[exercise].notebook), "student")
    return next(c.source for c in nb.cells if re.match(rf"(def|class) {exercise}\b", c.source))


def build_hostile(root):
    s5, s6 = root / "s5-hostile", root / "s6-hostile"
    interrupted = teacher_cell("fold_linear_layers") + "\nraise KeyboardInterrupt"
    write(
        s5 / "01.ipynb",
        replaced(edition(number("01"), "teacher"), "fold_linear_layers", interrupted),
    )
    nb = replaced(edition(number("02"), "teacher"), "sigmoid_mse_grad", EXIT_WHILE_CHECKED)
    exits = teacher_cell("binary_cross_entropy") + "\nraise SystemExit('stop')"
    write(s5 / "02.ipynb", replaced(nb, "binary_cross_entropy", exits))
    nb = replaced(edition(number("03"), "teacher"), "one_hot", LOOP)
    write(s5 / "03.ipynb", replaced(nb, "cross_entropy", MEMORY))
    write(
        s5 / "04.ipynb",
        replaced(edition(number("04"), "teacher"), "multilabel_loss", MONKEYPATCHED),
    )
    write(s5 / "05.ipynb", replaced(edition(number("05"), "teacher"), "minibatches", FLOOD))
    write(s5 / "06.ipynb", replaced(edition(number("06"), "teacher"), "Momentum", USES_NNREF))
    (s5 / "07.ipynb").write_text('{"cells": [')  # broken JSON
    # s6: hard-coded answers, os._exit in a cell, duplicated cells in both orders, a lying tensor
    nb = replaced(edition(number("02"), "teacher"), "sigmoid_mse_grad", hard_coded())
    ends = teacher_cell("binary_cross_entropy") + "\nimport os\nos._exit(0)"
    write(s6 / "02.ipynb", replaced(nb, "binary_cross_entropy", ends))
    nb = twice(
        edition(number("03"), "teacher"), "one_hot", teacher_cell("one_hot"), stub("one_hot")
    )
    nb = twice(nb, "softmax", stub("softmax"), LIAR)
    nb = twice(nb, "cross_entropy", stub("cross_entropy"), teacher_cell("cross_entropy"))
    write(s6 / "03.ipynb", nb)
    write(s6 / "06.ipynb", replaced(edition(number("06"), "teacher"), "NAG", NAG_ON_MOMENTUM))
    code = nbformat.v4.new_code_cell("def solve(x):\n    return x")
    write(s6 / "other course.ipynb", nbformat.v4.new_notebook(cells=[code]))
    text = nbformat.v4.new_markdown_cell("x" * (21 * 2**20))  # over the 20 MB cap
    write(s6 / "big.ipynb", nbformat.v4.new_notebook(cells=[text]))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class, graded once: (SUBMISSIONS, DIR, exit status)."""
    root = tmp_path_factory.mktemp("class") / "submissions"
    build_class(root)
    out = root.parent / "graded"
    return root, out, main([str(root), "--out", str(out), *OPTIONS])


def grades(out) -> list[list[str]]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


# ------------------------------------------------------------------ grades.csv, cell by cell
HEADER = ["student", *EXERCISES, "total", "max", "flags"]
# fold sig bce one_hot softmax ce multilabel minibatches Momentum NAG AdaGrad RMSProp Adam
EXPECTED = {
    "s1-right": ("1 1 1 1 1 1 1 1 1 1 1 1 1", "13", ""),
    "s2-wrong": (
        "0 0.143 0.286 0.333 0.143 0.333 0 0.222 0 0 1 1 0.667",
        "4.127",
        "missing: 01, 04, 06",
    ),
    "s3-not-done": ("0 0 0 0 0 0 0 0 0 0 0 0 0", "0", ""),
    "s4-missing": ("1 0 0 0 0 0 0 0 0 0 0 0 0", "1", "missing: 02, 03, 04, 05, 06, 07"),
    "s5-hostile": (
        "0 0 0 0 1 0 0.143 1 0 1 0 0 0",
        "3.143",
        "not a notebook: 07.ipynb; missing: 07; not defined: fold_linear_layers; "
        "crashed: sigmoid_mse_grad; not defined: binary_cross_entropy; time limit: one_hot; "
        "memory limit: cross_entropy; uses nnref: Momentum",
    ),
    "s6-hostile": (
        "0 0.714 0 0 0.143 1 0 0 1 1 0 0 0",
        "3.857",
        "too large: big.ipynb; no exercise found: other course.ipynb; missing: 01, 04, 05, 07; "
        "not defined: binary_cross_entropy",
    ),
}


@pytest.mark.slow
def test_every_cell_of_grades_csv(graded):
    """Right work earns its points, wrong work its share of checks, and no hostile notebook
    earns a point its code does not: a loop, memory, os._exit, SystemExit, KeyboardInterrupt,
    a monkeypatched checker, a lying tensor, nnref itself, hard-coded answers."""
    _root, out, status = graded
    assert status == 0
    rows = grades(out)
    assert rows[0] == HEADER
    expected = [
        [student, *points.split(), total, "13", flags]
        for student, (points, total, flags) in EXPECTED.items()
    ]
    assert rows[1:] == expected


@pytest.mark.slow
def test_a_flood_of_output_is_capped_and_costs_no_points(graded):
    _root, out, _status = graded
    lines = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert len(lines) == len(EXPECTED) * len(EXERCISES)
    flood = next(
        x for x in lines if x["student"] == "s5-hostile" and x["exercise"] == "minibatches"
    )
    assert flood["status"] == "passed" and flood["output_bytes"] == 1_000_000
    assert all(x["seconds"] is None or x["seconds"] < GUARD_S for x in lines)
    timed_out = next(x for x in lines if x["status"] == "time limit")
    assert timed_out["exercise"] == "one_hot" and timed_out["peak_mb"] > 0


# ------------------------------------------------------------------ feedback and summary
def solution_lines() -> set[str]:
    source = "\n".join(
        c.source
        for name in notebooks.names()
        for c in edition_of(name, "teacher").cells
        if "exercise" in c.metadata.get("tags", [])
    )
    return {line.strip() for line in source.splitlines() if len(line.strip()) > 25}


@pytest.mark.slow
def test_feedback_shows_the_checks_rows_and_hints_never_the_solution(graded):
    _root, out, _status = graded
    wrong = (out / "feedback" / "s2-wrong.md").read_text()
    assert "## softmax: some checks failed, 0.143 of 1" in wrong
    assert "likely mistake: normalised over the wrong axis" in wrong
    assert "a (4, 3) batch" in wrong and "value[0, 0]: yours " in wrong
    assert "## fold_linear_layers: missing, 0 of 1" in wrong
    assert "total: 4.127 of 13" in wrong
    html = (out / "feedback" / "s2-wrong.html").read_text()
    assert "<table>" in html and "wrong axis" in html and "<html lang='en'>" in html
    hostile = (out / "feedback" / "s5-hostile.md").read_text()
    assert "## one_hot: time limit, 0 of 1" in hostile and "ran past the time limit" in hostile
    assert "SystemExit: stop" in hostile and "uses nnref's own implementation" in hostile
    lines = solution_lines()
    for page in (out / "feedback").iterdir():
        text = page.read_text()
        assert not any(line in text for line in lines), page.name


@pytest.mark.slow
def test_a_case_drawn_from_the_seed_never_shows_its_expected_values(graded):
    """The hard-coded answers pass the public cases and fail the drawn ones, whose rows say so
    without a number of the reference's."""
    _root, out, _status = graded
    text = (out / "feedback" / "s6-hostile.md").read_text()
    drawn = EXERCISES["sigmoid_mse_grad"].cases_for(SEED)[-2:]
    assert all(case.hidden for case in drawn)
    for case in drawn:
        assert f"{case.name}  FAIL    wrong on this case, whose values are not shown" in text
        expected = sigmoid_mse_grad_reference(*case.inputs())
        shown = {f"{x:.10g}" for x in expected.flatten().tolist() if abs(x) > 1e-6}
        assert not any(number in text for number in shown)


@pytest.mark.slow
def test_the_summary_has_the_class_per_exercise_its_mistakes_flags_and_settings(graded):
    _root, out, _status = graded
    page = (out / "summary.html").read_text()
    # softmax: did it 4 (s1, s2, s5, s6), passed 2 (s1, s5), failed 2; mean 2.286 / 6 students
    assert "<td>softmax</td><td>4</td><td>2</td><td>2</td><td>0.381 / 1</td>" in page
    assert "<img alt='' src='data:image/png;base64," in page
    assert "normalised over the wrong axis" in page and "no bias correction" in page
    assert "time limit: one_hot" in page and "too large: big.ipynb" in page
    assert (
        "<td>seed</td><td>11</td>" in page
        and "<td>time limit per exercise</td><td>5 s</td>" in page
    )


# ------------------------------------------------------------------ the same results, again
def again(graded, tmp_path, *options):
    """The graded class's outputs made again into a copy of DIR (every student resumed)."""
    root, out, _status = graded
    copy_out = tmp_path / "again"
    shutil.copytree(out, copy_out)
    assert main([str(root), "--out", str(copy_out), *OPTIONS, *options]) == 0
    return copy_out


@pytest.mark.slow
def test_points_weight_the_exercises_and_an_lms_file_is_written(graded, tmp_path):
    points = tmp_path / "points.yaml"
    points.write_text("Adam: 3\nminibatches: 0\n")
    out = again(graded, tmp_path, "--points", str(points), "--lms", "moodle")
    rows = {row[0]: row for row in grades(out)}
    adam, minibatches = HEADER.index("Adam"), HEADER.index("minibatches")
    assert rows["s2-wrong"][adam] == "2" and rows["s2-wrong"][minibatches] == "0"
    assert rows["s1-right"][-3:] == ["14", "14", ""]
    with open(out / "lms-moodle.csv", newline="") as f:
        moodle = list(csv.reader(f))
    assert moodle[0] == ["Identifier", "Grade", "Feedback comments"]
    assert moodle[1][:2] == ["Participant s1-right", "14"]


@pytest.mark.slow
def test_the_korean_feedback_uses_the_glossarys_terms(graded, tmp_path):
    out = again(graded, tmp_path, "--lang", "ko")
    english = re.compile(r"[A-Za-z]{3,}(?: [A-Za-z]{3,})+")
    for name in ("s2-wrong.md", "s5-hostile.md"):
        text = (out / "feedback" / name).read_text()
        assert re.search("[가-힣]", text) and not unwanted(text), name
        prose = [line for line in text.splitlines() if not line.startswith(("```", "##"))]
        code = re.compile(r"`[^`]*`|\w+(?:Error|Exception|Exit|Interrupt)\b.*")
        left = [english.findall(code.sub("", line)) for line in prose]
        assert not any(left), [x for x in left if x][:5]
    assert "<html lang='ko'>" in (out / "summary.html").read_text()


# ------------------------------------------------------------------ stopped and started again
@pytest.mark.slow
def test_a_run_killed_half_way_and_started_again_gives_the_same_grades(graded, tmp_path, capsys):
    """Killed (SIGKILL) once its first student is written; the next run grades the other, and
    with the same seed the grades are those of the uninterrupted run (the module's)."""
    root, out, _status = graded
    chosen = ["s3-not-done", "s4-missing"]
    for student in chosen:
        shutil.copytree(root / student, tmp_path / "submissions" / student)
    dest = tmp_path / "graded"
    argv = [str(tmp_path / "submissions"), "--out", str(dest), *OPTIONS, "--jobs", "1"]
    command = [sys.executable, "-m", "nnref.grading", *argv]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    written = dest / ".work" / "students"
    deadline = time.monotonic() + GUARD_S
    while not (written.is_dir() and any(written.glob("*.json"))) and first.poll() is None:
        assert time.monotonic() < deadline, "no student written"
        time.sleep(0.05)
    assert first.poll() is None, "the run ended before it could be killed"
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert not (dest / "grades.csv").exists()
    assert [p.name for p in written.iterdir()] == ["s3-not-done.json"]  # whole, or not there
    assert main(argv) == 0
    assert "1 of 2 students graded before" in capsys.readouterr().err
    assert grades(dest) == [grades(out)[0], *(r for r in grades(out)[1:] if r[0] in chosen)]


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "case, message",
    [
        ("missing", "no such folder or .zip"),
        ("empty", "no student found"),
        ("inside", "is inside SUBMISSIONS"),
        ("points", "'softmaxx' is not an exercise; exercises: fold_linear_layers,"),
    ],
)
def test_bad_usage_is_one_line_and_exit_status_2(case, message, tmp_path, capsys):
    submissions = tmp_path / "class"
    (submissions / "alice").mkdir(parents=True)
    (tmp_path / "empty").mkdir()
    (tmp_path / "points.yaml").write_text("softmaxx: 2\n")
    argv = {
        "missing": [str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")],
        "empty": [str(tmp_path / "empty"), "--out", str(tmp_path / "out")],
        "inside": [str(submissions), "--out", str(submissions / "graded")],
        "points": [str(submissions), "--out", str(tmp_path / "out")]
        + ["--points", str(tmp_path / "points.yaml")],
    }[case]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("nnref-grade: error: ") and message in err
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_help_states_the_exit_status(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "Exit status: 0 once every student has a row" in text and "1 only when" in text


# ------------------------------------------------------------------ finding students and code
def test_moodle_and_canvas_downloads_and_a_zip_are_recognised(tmp_path):
    nb = nbformat.writes(nbformat.v4.new_notebook())
    moodle = tmp_path / "moodle.zip"
    with zipfile.ZipFile(moodle, "w") as z:
        z.writestr("hw/Kim Minji_1234_assignsubmission_file_/03-multiclass.ipynb", nb)
        z.writestr("hw/Kim Minji_1234_assignsubmission_file_/.ipynb_checkpoints/x.ipynb", nb)
        z.writestr("hw/Lee Jun_99_assignsubmission_file_/hw.ipynb", nb)
        z.writestr("hw/Lee Jun_99_assignsubmission_file_/notes.txt", "")
        z.writestr("__MACOSX/hw/._x.ipynb", "")
    found = find_students(moodle)
    assert [(s.id, s.name, [n.name for n in s.notebooks]) for s in found] == [
        ("99", "Lee Jun", ["hw.ipynb"]),
        ("1234", "Kim Minji", ["03-multiclass.ipynb"]),
    ]
    canvas = tmp_path / "canvas"
    canvas.mkdir()
    (canvas / "kimminji_1234_5555_03-multiclass.ipynb").write_text(nb)
    (canvas / "leejun_LATE_99_5556_hw-1.ipynb").write_text(nb)
    (canvas / "readme.txt").write_text("")
    found = find_students(canvas)
    assert [(s.id, s.name, [n.name for n in s.notebooks]) for s in found] == [
        ("99", "leejun", ["hw-1.ipynb"]),
        ("1234", "kimminji", ["03-multiclass.ipynb"]),
    ]


def test_an_exercise_is_its_last_definition_run_with_the_imports_and_what_it_uses():
    cells = [
        nbformat.v4.new_code_cell(
            "%matplotlib inline\nimport torch\nfrom nnref.testing import check_exercise"
        ),
        nbformat.v4.new_code_cell("def helper(x):\n    return x\n\ndef unused():\n    pass"),
        nbformat.v4.new_code_cell("def softmax(net):\n    return helper(net)"),
        nbformat.v4.new_code_cell("def softmax(net):\n    raise NotImplementedError\nprint("),
    ]
    found = code_cells(nbformat.writes(nbformat.v4.new_notebook(cells=cells)).encode())
    where = last_definitions(found)
    assert where["softmax"].index == 3  # it does not parse, but it defines softmax, and last
    job = program(found, where["softmax"], "softmax")
    assert [p["source"] for p in job["imports"]] == [
        "import torch",
        "from nnref.testing import check_exercise",
    ]
    assert job["definitions"] == []  # its cell does not parse: nothing is known to be used
    job = program(found, found[2], "softmax")
    assert [(p["source"].split("(")[0], p["cell"], p["line"]) for p in job["definitions"]] == [
        ("def helper", 1, 1)
    ]


REFERENCE = (
    *("nnref.optim", "nnref.heads", "nnref.data", "nnref.nets", "nnref.loop", "nnref.tasks"),
    *("nnref.experiments", "nnref.testing.exercises", "nnref.testing.references"),
    *("nnref.testing.optimizers", "nnref.testing.behaviour", "nnref.testing.heads"),
)


def nnref_imports(name: str, seen: set) -> set:
    """The nnref modules `name` imports, and those they import, read from their source."""
    import ast  # noqa: PLC0415
    import importlib.util  # noqa: PLC0415

    spec = importlib.util.find_spec(name)
    seen.add(name)
    package = name if spec.submodule_search_locations else name.rpartition(".")[0]
    found = {name.rsplit(".", i)[0] for i in range(name.count("."))}  # its packages' __init__
    for node in ast.walk(ast.parse(open(spec.origin).read())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    for module in sorted(found - seen):
        if module.startswith("nnref") and is_module(module):
            nnref_imports(module, seen)
    return seen


def is_module(name: str) -> bool:
    """Whether a dotted name is a module (not a module's attribute, `nnref.locale.messages._`)."""
    import importlib.util  # noqa: PLC0415

    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def test_the_child_imports_nothing_of_nnrefs_reference():
    """A student's import of nnref's reference is seen (guard.py): the child itself, and the
    worker it is forked from, import none of it."""
    reached = nnref_imports("nnref.grading.worker", set())
    assert "nnref.testing.probes" in reached
    assert not [m for m in reached if m.startswith(REFERENCE)], sorted(reached)
