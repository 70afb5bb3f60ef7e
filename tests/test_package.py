"""The package as users get it: a wheel installed anywhere with its configs and commands, one-way
imports, warning filters left alone on import, and a tree ruff finds clean."""

import ast
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import warnings
from pathlib import Path

import pytest
from conftest import ROOT

SRC = ROOT / "src" / "nnref"


# ---------------------------------------------------------------- the wheel, outside the checkout
def pip(*args):
    """This environment's pip, quietly, for the wheel and its install."""
    return subprocess.run(
        [sys.executable, "-m", "pip", *args], capture_output=True, text=True, timeout=600
    )


def built_wheel(base: Path) -> Path:
    """nnref's wheel, built from a copy of what it is made of: setuptools builds in the source's
    build/ folder, where a build left over (or another running) would break this one."""
    source = base / "source"
    source.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    skip = shutil.ignore_patterns("*.egg-info", "__pycache__")
    for folder in ("src", "conf"):
        shutil.copytree(ROOT / folder, source / folder, ignore=skip)
    build = pip("wheel", "-q", "--no-deps", "-w", str(base / "dist"), str(source))
    assert build.returncode == 0, build.stderr[-3000:]
    return next((base / "dist").glob("nnref-*.whl"))


def venv_with(wheel: Path, venv: Path) -> Path:
    """A fresh virtual environment holding `wheel`; its dependencies come from this environment
    through a .pth file. Returns the environment's bin folder."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    purelib = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "test_environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    quiet = ("install", "-q", "--no-deps", "--no-index")
    install = pip("--python", str(bin_dir / "python"), *quiet, str(wheel))
    # A pip too old for --python installs with this pip into the environment's folders.
    if install.returncode != 0:
        install = pip(*quiet, "--prefix", str(venv), str(wheel))
    assert install.returncode == 0, install.stderr[-3000:]
    return bin_dir


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """nnref from its wheel (not editable) in a fresh environment, and an empty folder to run its
    commands from (the .pth files of this environment, nnref's editable one among them, are not
    run there)."""
    base = tmp_path_factory.mktemp("wheel")
    bin_dir = venv_with(built_wheel(base), base / "venv")
    empty = base / "empty"
    empty.mkdir()
    return bin_dir, empty


def command(installed, *args, timeout=300):
    bin_dir, cwd = installed
    env = {
        **os.environ,
        "LANGUAGE": "en",  # the tests read the commands' English words
        "PYTHONWARNINGS": "ignore",
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    }
    return subprocess.run(
        [str(bin_dir / args[0]), *args[1:]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_the_wheel_holds_nnref_its_configs_and_commands(installed):
    proc = command(installed, "python", "-c", "import nnref, nnref.conf; print(nnref.__file__)")
    assert proc.returncode == 0, proc.stderr[-2000:]
    where = Path(proc.stdout.strip())
    # From the wheel, not from here.
    assert str(installed[0].parent) in str(where) and str(ROOT) not in str(where)
    assert (where.parent / "conf" / "train.yaml").is_file() and (
        where.parent / "conf" / "task" / "binary.yaml"
    ).is_file()


@pytest.mark.slow
def test_nnref_train_then_predict_from_an_empty_folder(installed):
    proc = command(
        installed, "nnref-train", "task=binary", "trainer.max_epochs=2", "hydra.run.dir=run"
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = installed[1] / "run"
    assert (run / "results.json").is_file() and "test/acc" in proc.stdout

    import csv

    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    with open(installed[1] / "new.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(bunch.feature_names)
        writer.writerows(bunch.data[:5].tolist())
    proc = command(
        installed, "nnref-predict", "checkpoint=run", "input=new.csv", "output=predicted.csv"
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "binary: predicted 5 rows" in proc.stdout
    lines = (installed[1] / "predicted.csv").read_text().splitlines()
    assert len(lines) == 6 and lines[0].endswith("prediction,p_benign,p_malignant")


@pytest.mark.slow
def test_nnref_check_prints_its_report(installed):
    proc = command(installed, "nnref-check", "optimizer", "torch.optim:SGD", "--twin", "momentum")
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert "torch.optim.SGD" in proc.stdout and proc.stdout.strip().splitlines()[-1].endswith(
        "failed"
    )


@pytest.mark.slow
def test_the_wheel_carries_the_glossary_and_the_korean_reports(installed):
    code = (
        "import nnref.testing as t, nnref.locale as l; t.use_language('ko'); "
        "print(len(l.glossary())); print(t.check_exercise('softmax', lambda net: net.softmax(1)))"
    )
    proc = command(installed, "python", "-c", code)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    assert int(lines[0]) >= 40 and "강의 2-4" in lines[1]
    assert re.fullmatch(r"통과 \d+, 실패 0", lines[-1]), lines[-1]


@pytest.mark.slow
def test_nnref_grade_grades_a_class_from_an_empty_folder(installed):
    import nbformat

    student = installed[1] / "class" / "kim"
    student.mkdir(parents=True)
    cells = ["import torch", "def softmax(net):\n    return torch.softmax(net, dim=1)"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(notebook, student / "homework.ipynb")
    proc = command(
        installed, "nnref-grade", "class", "--out", "graded", "--jobs", "1", "--seed", "3"
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = (installed[1] / "graded" / "grades.csv").read_text().splitlines()
    assert rows[0].startswith("student") and rows[1].startswith("kim,"), rows


@pytest.mark.slow
def test_nnref_playground_serves_a_page_that_trains(installed):
    from gradio_client import Client
    from support.serve import serve

    from nnref.playground.fields import training_defaults

    bin_dir, cwd = installed
    form = {**training_defaults(), "epochs": 5}
    with serve(command=[str(bin_dir / "nnref-playground")], cwd=cwd) as url:
        frames = list(
            # No points clicked, no preset.
            Client(url, verbose=False, download_files=False).submit(
                **form, points="[]", preset="", api_name="/train"
            )
        )
    status = frames[-1][1]  # (picture, status, command, data, downloads, view)
    assert "**done**" in status and "epoch 5 of 5" in status


# ---------------------------------------------------------------- the shape of the code
def imports_of(path: Path) -> set:
    """The nnref modules a file imports, at any depth (relative imports resolved)."""
    module = ".".join(path.relative_to(SRC.parent).with_suffix("").parts).removesuffix(".__init__")
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            if base.startswith("nnref"):
                found.add(base)
                found.update(f"{base}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("nnref"))
    return found


def test_no_import_cycle_anywhere_in_src():
    files = {
        ".".join(p.relative_to(SRC.parent).with_suffix("").parts).removesuffix(".__init__"): p
        for p in SRC.rglob("*.py")
    }
    graph = {m: {i for i in imports_of(p) if i in files and i != m} for m, p in files.items()}
    # A package's __init__ importing its own modules is how packages are made, not a cycle between
    # ideas.
    graph = {
        m: {i for i in deps if not (i.startswith(m + ".") and files[m].name == "__init__.py")}
        for m, deps in graph.items()
    }
    seen, stack = set(), []

    def visit(m):
        if m in stack:
            pytest.fail("import cycle: " + " -> ".join(stack[stack.index(m) :] + [m]))
        if m in seen:
            return
        stack.append(m)
        for dep in sorted(graph[m]):
            visit(dep)
        stack.pop()
        seen.add(m)

    for m in sorted(graph):
        visit(m)


def test_no_attribute_is_made_with_setattr_and_no_private_lightning_or_torch_name_is_used():
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        assert "setattr(" not in text, path
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                root = node.value
                while isinstance(root, ast.Attribute):
                    root = root.value
                assert not (
                    isinstance(root, ast.Name) and root.id in ("torch", "L", "lightning", "pl")
                ), f"{path}: {ast.unparse(node)}"


def test_no_function_in_src_is_longer_than_80_lines():
    long = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > 80:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines})")
    assert not long, long


# A comment the formatter left inside the brackets it wrapped a line in. A comment sits on its own
# line above the code it explains.
STRANDED = re.compile(
    r"^[ \t]*[)\]}]+,?[ \t]+#"  # after a lone closing bracket
    r"|=[ \t]*\(\n[^\n#]*\S[ \t]+#[^\n]*\n[ \t]*\)",  # NAME = (\n value  # ...\n)
    re.MULTILINE,
)


def test_no_comment_is_stranded_in_brackets_the_formatter_wrapped():
    stranded = [
        f"{path.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in [*SRC.rglob("*.py"), *(ROOT / "scripts").glob("*.py")]
        for text in [path.read_text()]
        for m in STRANDED.finditer(text)
    ]
    assert not stranded, stranded


def test_no_head_is_named_in_the_playground_outside_its_presets():
    # The heads' own tables say which head fits which data, its options and its score: a head
    # written into the playground would be a copy of them (a fifth head would then break it).
    heads = {"regression", "binary", "multiclass", "multilabel"}
    found = []
    for path in sorted((SRC / "playground").glob("*.py")):
        if path.name == "presets.py":  # each preset names the head its claim is about
            continue
        tree = ast.parse(path.read_text())
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words = set(re.findall(r"\w+", node.value))
                if words & heads and id(node) not in docstrings:
                    found.append(f"{path.name}:{node.lineno} {node.value[:60]!r}")
    assert not found, found


@pytest.mark.slow
def test_importing_nnref_leaves_the_warning_filters_alone():
    # torch, Lightning and scipy add filters of their own as they load; nnref adds none of its own.
    code = (
        "import warnings\n"
        "import nnref, nnref.heads, nnref.optim, nnref.data, nnref.loop, nnref.tasks, nnref.train, "
        "nnref.experiments.saturation, nnref.testing\n"
        "from nnref.quiet import FILTERS\n"
        "ours = [f for f in warnings.filters if f[1] is not None and f[1].pattern in FILTERS]\n"
        "assert not ours, ours"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with warnings.catch_warnings():
        from nnref import quiet

        quiet.install()
        assert any(f[1] is not None and "treespec" in f[1].pattern for f in warnings.filters)


def test_ruff_finds_the_tree_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    check = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout[-3000:]
    fmt = subprocess.run([ruff, "format", "--check", "."], cwd=ROOT, capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout[-3000:]
