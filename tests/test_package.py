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
@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtual environment with nnref from its wheel (not editable); the dependencies come
    from this test environment, through a .pth file (the .pth files there, nnref's editable one
    among them, are not run)."""
    base = tmp_path_factory.mktemp("wheel")
    # Built from a copy of what the wheel is made of: setuptools builds in the source's build/
    # folder, where a build left over (or another running) would break this one.
    source = base / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__")
    )
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(base / "dist"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    wheel = next((base / "dist").glob("nnref-*.whl"))
    venv = base / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "test_environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if (
        install.returncode != 0
    ):  # a pip without --python: install with this pip into the venv's folders
        install = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--no-index",
                "--prefix",
                str(venv),
                str(wheel),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert install.returncode == 0, install.stderr[-3000:]
    empty = base / "empty"
    empty.mkdir()
    return bin_dir, empty


def command(installed, *args, timeout=300):
    bin_dir, cwd = installed
    env = {
        **os.environ,
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
    assert str(installed[0].parent) in str(where) and str(ROOT) not in str(
        where
    )  # from the wheel, not here
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
def test_nnref_playground_serves_a_page_that_trains(installed):
    from gradio_client import Client
    from support.serve import serve

    from nnref.playground.page import TRAINING_FIELDS, initial_training_form

    bin_dir, cwd = installed
    form = {**initial_training_form(), "epochs": 5}
    with serve(command=[str(bin_dir / "nnref-playground")], cwd=cwd) as url:
        frames = list(
            Client(url, verbose=False, download_files=False).submit(
                *[form[f] for f in TRAINING_FIELDS], "[]", "", api_name="/train"
            )  # no points clicked, no preset
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
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
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
