"""The course's notebooks (notebooks/*.py): both editions build from one source, every teacher
edition runs top to bottom with every check passing, every student edition runs and reports its
exercises not done, a wrong answer is named, and a kernel without nnref is told how to install
it."""

import re
import subprocess
import sys

import nbformat
import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import notebooks  # noqa: E402

NAMES = notebooks.names()
EXERCISES = {  # what the issue names: each notebook's exercises, in order
    "01-regression": ["fold_linear_layers"],
    "02-binary": ["sigmoid_mse_grad", "binary_cross_entropy"],
    "03-multiclass": ["one_hot", "softmax", "cross_entropy"],
    "04-multilabel": ["multilabel_loss"],
    "05-batching": ["minibatches"],
    "06-momentum-nag": ["Momentum", "NAG"],
    "07-adaptive": ["AdaGrad", "RMSProp", "Adam"],
}
SUMMARY = {  # the report's last line: the same numbers, in the same order, in each language
    "en": re.compile(r"^(\d+) passed(, .*)?, (\d+) failed$"),
    "ko": re.compile(r"^통과 (\d+)(, .*)?, 실패 (\d+)$"),
}
NOT_DONE = {"en": "0 passed, 1 not done yet, 0 failed", "ko": "통과 0, 아직 안 함 1, 실패 0"}


def tagged(nb, tag):
    return [c for c in nb.cells if tag in c.metadata.get("tags", [])]


def check_summaries(nb) -> list[str]:
    """The last line of each check cell's report, as the notebook shows it in plain text."""
    lines = []
    for cell in tagged(nb, "check"):
        text = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
        lines.append(text.strip().splitlines()[-1] if text.strip() else "")
    return lines


def test_the_notebooks_are_the_issues_seven_with_their_exercises():
    assert NAMES == list(EXERCISES)
    for name, exercises in EXERCISES.items():
        nb = notebooks.edition(name, "teacher")
        defined = [
            re.match(r"(?:def|class) (\w+)", c.source).group(1) for c in tagged(nb, "exercise")
        ]
        assert defined == exercises, name
        checks = tagged(nb, "check")
        assert [
            re.search(r'check_exercise\("(\w+)"', c.source).group(1) for c in checks
        ] == exercises
        # each check cell comes right after its exercise cell
        cells = nb.cells
        for cell in tagged(nb, "exercise"):
            assert "check" in cells[cells.index(cell) + 1].metadata.get("tags", []), name
        text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
        # Cited, with its formula.
        assert re.search(r"Lecture [23]-[14], p\. \d", text) and "$" in text, name


def test_the_student_edition_keeps_signatures_and_docstrings_and_drops_every_solution():
    for name in NAMES:
        teacher, student = notebooks.edition(name, "teacher"), notebooks.edition(name, "student")
        for t, s in zip(tagged(teacher, "exercise"), tagged(student, "exercise")):
            assert "SOLUTION" not in t.source + s.source
            assert 'raise NotImplementedError("exercise: write this")' in s.source
            header = [
                line
                for line in t.source.splitlines()
                if line.lstrip().startswith(("def ", "class ", '"""'))
            ]
            assert all(line in s.source.splitlines() for line in header), name
            # Nothing but what the teacher's cell has outside its solutions, and the stubs.
            assert all(
                line in t.source.splitlines() or "NotImplementedError" in line
                for line in s.source.splitlines()
            )
            assert t.source != s.source
        assert [
            c.source for c in teacher.cells if "exercise" not in c.metadata.get("tags", [])
        ] == [c.source for c in student.cells if "exercise" not in c.metadata.get("tags", [])]


def test_make_notebooks_build_writes_both_editions_as_ipynb(tmp_path):
    written = notebooks.build(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == sorted(
        f"{kind}/{name}{suffix}.ipynb"
        for kind in ("teacher", "student")
        for name in NAMES
        for suffix in ("", ".ko")
    )
    nb = nbformat.read(tmp_path / "student" / "02-binary.ipynb", as_version=4)
    nbformat.validate(nb)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")  # no outputs


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="Windows has no Unix sockets: kernels use TCP")
def test_a_kernel_talks_over_unix_sockets_of_its_own_not_tcp_ports():
    # A free TCP port picked for a kernel can be taken by another process before the kernel
    # binds it (two test suites at once lost a kernel that way); a socket in its own folder can't.
    cell = (
        "import json\nfrom ipykernel import get_connection_info\n"
        "info = json.loads(get_connection_info())\nprint(info['transport'], info['ip'])"
    )
    nb = notebooks.execute(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)]), ROOT)
    transport, path = nb.cells[0].outputs[0]["text"].split()
    assert transport == "ipc" and "nnref-kernel-" in path


@pytest.mark.slow
@pytest.mark.parametrize("lang", notebooks.LANGUAGES)
@pytest.mark.parametrize("name", NAMES)
def test_the_teacher_edition_runs_and_every_check_passes(name, lang):
    nb = notebooks.execute(notebooks.edition(name, "teacher", lang), notebooks.SOURCES)
    summaries = check_summaries(nb)
    assert len(summaries) == len(EXERCISES[name])
    for line in summaries:
        match = SUMMARY[lang].match(line)
        assert match and match.group(3) == "0" and "not done" not in line, line
        assert "아직 안 함" not in line


@pytest.mark.slow
# In the site's worker (tests/test_docs.py), whose build renders these same runs: executed once,
# by whichever comes first, with the same outputs; the other worker meanwhile runs the rest.
@pytest.mark.xdist_group("site")
@pytest.mark.parametrize("lang", notebooks.LANGUAGES)
@pytest.mark.parametrize("name", NAMES)
def test_the_student_edition_runs_and_reports_each_exercise_not_done(name, lang):
    nb = notebooks.execute_cached(notebooks.edition(name, "student", lang), notebooks.SOURCES)
    summaries = check_summaries(nb)
    assert summaries == [NOT_DONE[lang]] * len(EXERCISES[name])
    html = "".join(
        o.get("data", {}).get("text/html", "") for c in tagged(nb, "check") for o in c.outputs
    )
    words = {"en": "not done yet", "ko": "아직 안 함"}[lang]
    assert "<table>" in html and words in html  # Jupyter shows the report as a table


def test_the_korean_edition_has_the_english_code_and_korean_prose():
    for name in NAMES:
        for kind in notebooks.EDITIONS:
            en, ko = notebooks.edition(name, kind, "en"), notebooks.edition(name, kind, "ko")
            code = [[c.source for c in nb.cells if c.cell_type == "code"] for nb in (en, ko)]
            assert len(code[0]) == len(code[1]), name
            for a, b in zip(*code):
                # the same code; only comments differ, and the Korean edition's one line that
                # turns the kit's reports Korean
                # Fmt: skip.
                strip = lambda s: [
                    line
                    for line in s.splitlines()
                    if not line.strip().startswith("#") and "use_language" not in line
                ]
                assert strip(a) == strip(b), name
            prose = [c.source for c in ko.cells if c.cell_type == "markdown"]
            assert prose and all(re.search("[가-힣]", text) for text in prose), name
            assert sum('use_language("ko")' in c.source for c in ko.cells) == 1, name


@pytest.mark.slow
def test_a_wrong_answer_put_into_the_exercise_cell_fails_its_check_naming_the_rule():
    nb = notebooks.edition("03-multiclass", "student")
    cell = next(c for c in tagged(nb, "exercise") if c.source.startswith("def softmax"))
    cell.source = (
        "def softmax(net):\n    e = torch.exp(net)\n    return e / e.sum(dim=1, keepdim=True)\n"
    )
    nb = notebooks.execute(nb, notebooks.SOURCES)
    report = next(c for c in tagged(nb, "check") if "softmax" in c.source)
    text = "".join(o.get("data", {}).get("text/plain", "") for o in report.outputs)
    assert "large net inputs (±1000)" in text and "exp overflows" in text
    assert text.strip().splitlines()[-1] == "4 passed, 1 failed"


def test_without_nnref_the_first_code_cell_stops_and_says_how_to_install_it(tmp_path):
    nb = notebooks.edition("01-regression", "student")
    first = next(c for c in nb.cells if c.cell_type == "code")
    # -S: no site-packages, so neither nnref nor anything installed can be imported.
    proc = subprocess.run(
        [sys.executable, "-S", "-c", first.source],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert (
        proc.returncode != 0
        and "pip install nnref" in proc.stderr
        and "Traceback" not in proc.stderr
    )
