"""nnref-sweep DIR: a multirun folder -> one comparison, written into DIR.

summary.csv  one row per configuration (seeds folded together): its settings, n_seeds, n_diverged,
             n_missing, and the mean and std over seeds of every test metric, of epochs and of
             fit_seconds
summary.md   the same table per task, its best configuration marked
summary.png  one column per task: validation loss against epoch (top) and against optimizer steps
             (bottom), the mean over seeds with a band of one std

A job folder is any folder below DIR with results.json or .hydra/overrides.yaml, so the basic and
joblib launchers, submitit and an Optuna search all read the same. A job folder without a readable
results.json is counted as missing (still running, killed, or failed), never an error.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml  # PyYAML comes with Hydra
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

from .errors import shown
from .heads import HEADS
from .locale.messages import _


def main_metrics() -> dict:
    """task -> (the metric its configurations are ranked by, higher is better), as each head
    says."""
    return {name: (head.main_metric, head.higher_is_better) for name, head in HEADS.items()}


KEYS = ("task", "optim", "batching", "data")
# Overrides that never tell configurations apart: seeds are folded, folders and Hydra's own settings
# are not settings.
NOT_COMPARED = ("seed", "run_dir", "hydra.", "hydra/")


class SweepError(ValueError):
    """DIR is not something to summarise; the message says why."""


@dataclass
class Job:
    folder: str  # relative to DIR
    overrides: dict  # key -> value as given to Hydra ("+" dropped)
    settings: dict  # task, optim, batching, data
    results: dict | None = None  # None: missing
    problem: str = ""  # why results are missing


@dataclass
class Row:
    """One configuration: the jobs that differ only by seed."""

    settings: dict  # KEYS and every varied override
    jobs: list = field(default_factory=list)
    best: bool = False

    @property
    def finished(self):
        return [j.results for j in self.jobs if j.results is not None]

    @property
    def ok(self):
        return [r for r in self.finished if r.get("status", "ok") == "ok"]

    def counts(self) -> dict:
        return {
            "n_seeds": len(self.finished),
            "n_diverged": len(self.finished) - len(self.ok),
            "n_missing": len(self.jobs) - len(self.finished),
        }

    def metric(self, name: str) -> tuple[float | None, float | None]:
        """Mean and std over the seeds that finished without diverging (std needs two)."""
        return mean_std([(r.get("metrics") or {}).get(name) for r in self.ok])

    def stat(self, name: str) -> tuple[float | None, float | None]:
        """Mean and std of a top-level number (epochs, fit_seconds) over every finished seed."""
        return mean_std([r.get(name) for r in self.finished])


def mean_std(values) -> tuple[float | None, float | None]:
    xs = [float(v) for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    if not xs:
        return None, None
    return statistics.fmean(xs), (statistics.stdev(xs) if len(xs) > 1 else None)


# ------------------------------------------------------------------------------------------ reading
def find_jobs(root: Path) -> list[Job]:
    if not root.is_dir():
        raise SweepError(
            _(
                "{root}: no such folder (give a multirun folder such as "
                "multirun/2026-11-28/19-15-10)",
                root=root,
            )
        )
    folders = []
    for here, dirs, files in os.walk(root):
        if "results.json" in files or os.path.isfile(
            os.path.join(here, ".hydra", "overrides.yaml")
        ):
            folders.append(Path(here))
            dirs[:] = []  # a job's own folders (checkpoints/, csv/) hold no jobs
        else:
            # .submitit/, .git/: logs, not jobs.
            dirs[:] = [d for d in dirs if not d.startswith(".")]
    if not folders:
        raise SweepError(
            _(
                "{root}: no job folders in it (folders with results.json or "
                ".hydra/overrides.yaml); give the folder a multirun wrote, e.g. "
                "multirun/2026-11-28/19-15-10",
                root=root,
            )
        )
    return [read_job(root, f) for f in sorted(folders, key=lambda f: _natural(f.relative_to(root)))]


def read_job(root: Path, folder: Path) -> Job:
    overrides = read_overrides(folder / ".hydra" / "overrides.yaml")
    results, problem = None, ""
    path = folder / "results.json"
    if path.is_file():
        try:
            results = json.loads(path.read_text())
            if not isinstance(results, dict):
                raise ValueError("not a JSON object")
        except (ValueError, OSError) as e:
            results, problem = None, f"unreadable results.json ({str(e).splitlines()[0]})"
    else:
        problem = "no results.json"
    settings = {}
    config = (
        None
        if results is not None and all(k in results for k in KEYS)
        else read_config(folder / ".hydra")
    )
    for key in KEYS:
        value = (results or {}).get(key) or (config or {}).get(key) or overrides.get(key)
        settings[key] = str(value) if value is not None else "?"
    return Job(str(folder.relative_to(root)) or ".", overrides, settings, results, problem)


def read_overrides(path: Path) -> dict:
    """Hydra's list of "key=value" strings -> {key: value}; "+key" counts as "key", "~key" stays."""
    if not path.is_file():
        return {}
    try:
        items = yaml.safe_load(path.read_text()) or []
    except yaml.YAMLError:
        return {}
    out = {}
    for item in items if isinstance(items, list) else []:
        key, _, value = str(item).partition("=")
        out[key.lstrip("+")] = value
    return out


def read_config(hydra_dir: Path) -> dict:
    """task, optim, batching, data of a job that wrote no results, from the config Hydra saved."""
    out = {}
    try:
        cfg = yaml.safe_load((hydra_dir / "config.yaml").read_text()) or {}
        for key in ("task", "batching", "data"):
            out[key] = (cfg.get(key) or {}).get("name")
        choices = (yaml.safe_load((hydra_dir / "hydra.yaml").read_text()) or {}).get("hydra") or {}
        out["optim"] = ((choices.get("runtime") or {}).get("choices") or {}).get("optim")
    except (OSError, yaml.YAMLError, AttributeError):
        pass
    return out


def _natural(path: Path):
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in path.parts]


# ------------------------------------------------------------------------------------------ folding
def varied_overrides(jobs: list[Job]) -> list[str]:
    """Override keys whose value differs between jobs, other than the KEYS columns and
    NOT_COMPARED."""
    keys = []
    for job in jobs:
        keys += [k for k in job.overrides if k not in keys]
    keys = [k for k in keys if k not in KEYS and not k.startswith(NOT_COMPARED)]
    return [k for k in keys if len({job.overrides.get(k) for job in jobs}) > 1]


def fold(jobs: list[Job]) -> tuple[list[Row], list[str]]:
    varied = varied_overrides(jobs)
    rows: dict[tuple, Row] = {}
    for job in jobs:
        settings = {**job.settings, **{k: job.overrides.get(k, "") for k in varied}}
        rows.setdefault(tuple(settings.values()), Row(settings)).jobs.append(job)
    order = {t: i for i, t in enumerate(main_metrics())}
    # Stable: grid order.
    ordered = sorted(rows.values(), key=lambda r: order.get(r.settings["task"], len(order)))
    for task in dict.fromkeys(r.settings["task"] for r in ordered):
        best = best_row([r for r in ordered if r.settings["task"] == task], task)
        if best is not None:
            best.best = True
    return ordered, varied


def judged_by(task: str) -> tuple[str, bool]:
    """(metric, higher_is_better) a task's configurations are ranked by."""
    return main_metrics().get(task, ("test/loss", False))


def best_row(rows: list[Row], task: str) -> Row | None:
    """The best mean of the task's metric, ties going to the lower test/loss. A configuration with
    a diverged seed only wins if every configuration has one."""
    metric, higher = judged_by(task)
    if all(r.metric(metric)[0] is None for r in rows):
        metric, higher = "test/loss", False
    scored = [r for r in rows if r.metric(metric)[0] is not None]
    stable = [r for r in scored if r.counts()["n_diverged"] == 0] or scored
    if not stable:
        return None

    def rank(r):
        loss = r.metric("test/loss")[0]
        return (r.metric(metric)[0] * (-1 if higher else 1), math.inf if loss is None else loss)

    return min(stable, key=rank)


def metric_names(rows: list[Row]) -> list[str]:
    """Every test/* metric that some finished job reports, each task's main metric first."""
    names = {
        k
        for r in rows
        for res in r.finished
        for k in (res.get("metrics") or {})
        if k.startswith("test/")
    }
    main = [m for m in dict.fromkeys(metric for metric, _ in main_metrics().values()) if m in names]
    return main + sorted(names - set(main))


# ------------------------------------------------------------------------------------------ writing
def write_csv(path: Path, rows: list[Row], varied: list[str]) -> None:
    metrics = metric_names(rows)
    header = [*KEYS, *varied, "n_seeds", "n_diverged", "n_missing", "best"]
    for name in (*metrics, "epochs", "fit_seconds"):
        header += [f"{name}_mean", f"{name}_std"]
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(header)
        for r in rows:
            values = [*r.settings.values(), *r.counts().values(), int(r.best)]
            for name in metrics:
                values += [_num(v) for v in r.metric(name)]
            for name in ("epochs", "fit_seconds"):
                values += [_num(v) for v in r.stat(name)]
            out.writerow(values)


def _num(v) -> str:
    return "" if v is None else f"{v:.6g}"


def _short(value: str) -> str:
    """An Optuna-drawn 0.01567667719550607 reads as 0.01568 in tables (summary.csv keeps it
    whole)."""
    try:
        return f"{float(value):.4g}" if len(value) > 8 else value
    except ValueError:
        return value


def _cell(mean, std) -> str:
    if mean is None:
        return "–"
    return f"{mean:.4g}" if std is None else f"{mean:.4g} ± {std:.2g}"


def markdown(rows: list[Row], varied: list[str]) -> str:
    """One table per task: only the columns that task has values in; the best row marked ★."""
    lines = []
    for task in dict.fromkeys(r.settings["task"] for r in rows):
        group = [r for r in rows if r.settings["task"] == task]
        metric, higher = judged_by(task)
        metrics = [m for m in metric_names(group) if any(r.metric(m)[0] is not None for r in group)]
        metrics = sorted(metrics, key=lambda m: m != metric)
        keys = ["optim", "batching", "data", *varied]
        head = [*keys, "seeds", "diverged", "missing", *metrics, "epochs", "fit s", "best"]
        lines += [
            f"### {task}",
            "",
            f"★ best by mean {metric} over seeds ({'higher' if higher else 'lower'} is "
            "better; ties: lower test/loss), among configurations without a diverged seed.",
            "",
            "| " + " | ".join(head) + " |",
            "|" + "|".join("---" for _ in head) + "|",
        ]
        for r in group:
            cells = [_short(r.settings[k]) for k in keys] + [str(v) for v in r.counts().values()]
            cells += [_cell(*r.metric(m)) for m in metrics] + [
                _cell(*r.stat("epochs")),
                _cell(*r.stat("fit_seconds")),
            ]
            if r.best and metrics:
                cells[len(keys) + 3] = f"**{cells[len(keys) + 3]}**"
            lines.append("| " + " | ".join(cells + ["★" if r.best else ""]) + " |")
        lines.append("")
    return "\n".join(lines)


def differing(group: list[Row], varied: list[str]) -> list[str]:
    """The settings that tell a task's configurations apart."""
    return [
        k for k in ("optim", "batching", "data", *varied) if len({r.settings[k] for r in group}) > 1
    ] or ["optim"]


def label(row: Row, keys: list[str]) -> str:
    return " ".join(
        row.settings[k] if k in KEYS else f"{k}={_short(row.settings[k])}" for k in keys
    )


def styles(group: list[Row], keys: list[str]) -> list[tuple]:
    """(color, linestyle) per row: with two differing settings (optim x batching), color shows the
    first and the line style the second, so a 3x3 grid reads at a glance; otherwise one color
    each."""
    dashes = ["-", "--", ":", "-."]
    values = [list(dict.fromkeys(r.settings[k] for r in group)) for k in keys]
    if len(keys) == 2 and len(values[0]) <= 10 and len(values[1]) <= len(dashes):
        tab = colormaps["tab10"]
        return [
            (
                tab(values[0].index(r.settings[keys[0]])),
                dashes[values[1].index(r.settings[keys[1]])],
            )
            for r in group
        ]
    cmap = colormaps["tab10" if len(group) <= 10 else "viridis"]
    return [
        (cmap(i if len(group) <= 10 else i / max(1, len(group) - 1)), "-")
        for i in range(len(group))
    ]


def curve(row: Row, x: str) -> tuple[list, list, list]:
    """val/loss per epoch: x (epoch number, or mean optimizer steps), mean and std over seeds.

    Like the table, it averages the seeds that did not diverge (all of them if every seed did), and
    only at epochs that each of those seeds reached, so a short run cannot make the mean jump."""
    runs = [res.get("history") or [] for res in (row.ok or row.finished)]
    by_epoch: dict[int, list] = {}
    for hist in runs:
        for h in hist:
            v = h.get("val/loss")
            if isinstance(v, (int, float)) and math.isfinite(v) and isinstance(h.get("epoch"), int):
                by_epoch.setdefault(h["epoch"], []).append((h.get("step"), float(v)))
    xs, means, stds = [], [], []
    for epoch in sorted(by_epoch):
        pts = by_epoch[epoch]
        steps = [s for s, _ in pts if isinstance(s, (int, float))]
        if len(pts) < len(runs) or (x == "step" and not steps):
            continue
        xs.append(epoch + 1 if x == "epoch" else statistics.fmean(steps))
        mean, std = mean_std([v for _, v in pts])
        means.append(mean)
        stds.append(std or 0.0)
    return xs, means, stds


def plot(path: Path, rows: list[Row], varied: list[str]) -> None:
    tasks = list(dict.fromkeys(r.settings["task"] for r in rows))
    fig = Figure(figsize=(4.8 * len(tasks), 8.4))  # no pyplot: nothing global, nothing to close
    axes = fig.subplots(2, len(tasks), squeeze=False)
    for col, task in enumerate(tasks):
        group = [r for r in rows if r.settings["task"] == task]
        keys = differing(group, varied)
        drawn, ylim = 0, [math.inf, 0.0]
        for r, (color, dash) in zip(group, styles(group, keys)):
            for ax, x in zip(axes[:, col], ("epoch", "step")):
                xs, m, s = curve(r, x)
                if not xs:
                    continue
                text = label(r, keys) + (" ★" if r.best else "")
                ylim[0], ylim[1] = min(ylim[0], *m), max(ylim[1], *m)
                ax.plot(
                    xs,
                    m,
                    color=color,
                    ls=dash,
                    lw=2.6 if r.best else 1.3,
                    marker="o" if len(xs) < 4 else None,
                    ms=3,  # a run of one epoch is a dot
                    label=text if len(group) <= 12 or r.best else None,
                )
                ax.fill_between(
                    xs,
                    [max(a - b, a / 1e3) for a, b in zip(m, s)],
                    [a + b for a, b in zip(m, s)],
                    color=color,
                    alpha=0.12,
                    lw=0,
                )
                drawn += x == "epoch"
        axes[0, col].set_title(f"{task} ({', '.join(sorted({r.settings['data'] for r in group}))})")
        axes[0, col].set_xlabel("epoch")
        axes[1, col].set_xlabel("optimizer steps")
        for ax in axes[:, col]:
            if not drawn:
                ax.text(
                    0.5,
                    0.5,
                    "no per-epoch history",
                    ha="center",
                    va="center",
                    transform=ax.transAxes,
                )
                continue
            # Losses are positive; log keeps a blown-up run from flattening the rest.
            ax.set_yscale("log")
            # Fitted to the means: a wide band is cut, not the curves.
            ax.set_ylim(ylim[0] / 1.3, ylim[1] * 1.3)
            # Plain numbers (0.5, not 5x10^-1); minor ticks get labels only on an axis of about a
            # decade or less.
            plain = FuncFormatter(lambda v, _: f"{v:g}")
            ax.yaxis.set_major_formatter(plain)
            ax.yaxis.set_minor_formatter(plain if ylim[1] / ylim[0] < 12 else NullFormatter())
            ax.tick_params(axis="y", which="minor", labelsize=7)
            ax.grid(alpha=0.3, which="both")
        if drawn:
            axes[1, col].set_xscale("log")  # full batch takes 1 step an epoch, stochastic thousands
            axes[0, col].legend(fontsize=7, loc="best")
    for row, what in enumerate(("against epoch", "against optimizer steps")):
        axes[row, 0].set_ylabel(f"val/loss {what}\n(mean ± std over seeds)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


# ------------------------------------------------------------------------------------------ console
def report(rows: list[Row], jobs: list[Job], root: Path) -> str:
    lines = [f"{len(jobs)} jobs in {root}: {len(rows)} configurations"]
    for r in rows:
        metric, _ = judged_by(r.settings["task"])
        c = r.counts()
        extra = " ".join(f"{k}={_short(v)}" for k, v in r.settings.items() if k not in KEYS)
        lines.append(
            f"  {r.settings['task']:<11} {r.settings['optim']:<9} {r.settings['batching']:<10} "
            f"{r.settings['data']:<18} {extra + ' ' if extra else ''}seeds={c['n_seeds']} "
            f"diverged={c['n_diverged']} missing={c['n_missing']}  {metric} "
            f"{_cell(*r.metric(metric))}" + ("  ★ best" if r.best else "")
        )
    missing = [j for j in jobs if j.results is None]
    if missing:
        shown = ", ".join(f"{j.folder} ({j.problem})" for j in missing[:10])
        lines.append(
            f"missing: {len(missing)} job(s) without results: "
            f"{shown}{', ...' if len(missing) > 10 else ''}"
        )
    optuna = root / "optimization_results.yaml"
    if optuna.is_file():
        best = yaml.safe_load(optuna.read_text()) or {}
        lines.append(f"optuna: best_value {best.get('best_value')} with {best.get('best_params')}")
    return "\n".join(lines)


def summarise(root: Path) -> list[Path]:
    jobs = find_jobs(root)
    rows, varied = fold(jobs)
    paths = [root / "summary.csv", root / "summary.md", root / "summary.png"]
    write_csv(paths[0], rows, varied)
    paths[1].write_text(markdown(rows, varied))
    plot(paths[2], rows, varied)
    print(report(rows, jobs, root))
    return paths


# ------------------------------------------------------------------------------------------ Optuna
def optimizer_knobs(cfg, trial) -> None:
    """hparams_search=optuna's search space next to optim.lr: the chosen optimizer's own knob.

    Optuna's sweeper calls this once per trial with the sweep's config; what is suggested here
    becomes the trial's overrides. Knobs already given on the command line are left alone."""
    taken = set(trial.params) | set(trial.user_attrs)
    optim = cfg.optim
    if "momentum" in optim and "optim.momentum" not in taken:
        trial.suggest_float("optim.momentum", 0.5, 0.99)
    if "betas" in optim and not {"optim.betas", "optim.betas.0"} & taken:
        trial.suggest_float("optim.betas.0", 0.8, 0.99)
        trial.suggest_float("optim.betas.1", 0.9, 0.9999)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="nnref-sweep", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "dir", type=Path, help="a multirun folder, e.g. multirun/2026-11-28/19-15-10"
    )
    args = parser.parse_args(argv)
    try:
        paths = summarise(args.dir)
    except (SweepError, OSError) as e:  # OSError: e.g. DIR is read-only
        # In the environment's language, as every nnref command refuses.
        print(f"nnref.sweep: error: {shown(e)}", file=sys.stderr)
        return 2
    print("wrote: " + ", ".join(str(p) for p in paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
