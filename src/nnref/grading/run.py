"""The batch: every student's notebooks graded, several exercises at once, resumably.

    results = grade(Path("submissions"), Path("graded"), Settings(seed=7))

Each student is planned first (their notebooks read, each exercise's code found: notebook.py),
then each exercise runs in a child (sandbox.py) and is judged here (judge.py), `jobs` at a time.
When a student's last exercise is judged, their result is written whole to DIR/.work/students/
(one JSON file each, written atomically). A run that is stopped (Ctrl-C, a killed process) and
started again grades only the students whose result is missing, or whose notebooks, seed or
limits changed. Whatever a submission holds, grading it ends with a result: a failure of the
grader's own on one exercise is that exercise's zero, with its reason.
"""

from __future__ import annotations

import hashlib
import json
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from nnref import __version__
from nnref.files import write_atomic
from nnref.locale.messages import _
from nnref.testing.cases import EXERCISES
from nnref.testing.exercises import steps_with_closure

from .judge import judge
from .notebook import NotANotebook, code_cells, last_definitions, program
from .results import CRASHED, FLAGGED, MISSING, ExerciseResult, StudentResult, safe_name
from .sandbox import Limits, Sandbox
from .submissions import Student, capped, find_students

STATUS_WORDS = {
    "time limit": _("time limit"),
    "memory limit": _("memory limit"),
    "crashed": _("crashed"),
    "uses nnref": _("uses nnref"),
    "not defined": _("not defined"),
}


@dataclass
class Settings:
    seed: int
    limits: Limits = field(default_factory=Limits)
    jobs: int = 1

    def key(self) -> dict:
        """What a result depends on: a stored result graded otherwise is graded again."""
        return {"seed": self.seed, "limits": asdict(self.limits), "nnref": __version__}


@dataclass
class Plan:
    """A student's work before any of it runs: their notebooks' flags and each exercise's job."""

    result: StudentResult
    jobs: dict = field(default_factory=dict)  # exercise -> (its job, the notebook's name)
    digest: str = ""  # of the student's notebooks: a changed hand-in is graded again


def plan(student: Student, seed: int) -> Plan:
    result = StudentResult(student.id, student.name)
    digest = hashlib.sha256()
    chosen = {}  # exercise -> (notebook, cells, its cell); a later notebook's wins
    for notebook in student.notebooks:
        data = capped(notebook)
        digest.update(notebook.name.encode() + b"\0" + (data or b"(too large)") + b"\0")
        if data is None:
            result.flags.append(_("too large: {file}", file=notebook.name))
            continue
        try:
            cells = code_cells(data)
        except NotANotebook:
            result.flags.append(_("not a notebook: {file}", file=notebook.name))
            continue
        where = last_definitions(cells)
        found = [name for name in EXERCISES if name in where]
        if not found:
            result.flags.append(_("no exercise found: {file}", file=notebook.name))
        for name in found:
            chosen[name] = (notebook.name, cells, where[name])
    numbers = sorted({ex.notebook for name, ex in EXERCISES.items() if name not in chosen})
    handed_in = {ex.notebook for name, ex in EXERCISES.items() if name in chosen}
    missing = [n for n in numbers if n not in handed_in]
    if missing:
        result.flags.append(_("missing: {notebooks}", notebooks=", ".join(missing)))
    jobs = {}
    for name in EXERCISES:
        if name not in chosen:
            result.exercises[name] = ExerciseResult(name, MISSING)
            continue
        file, cells, cell = chosen[name]
        job = program(cells, cell, name) | {"seed": seed, "closure": steps_with_closure(name)}
        jobs[name] = (job, file)
    return Plan(result, jobs, digest.hexdigest())


def run_exercise(sandbox: Sandbox, name: str, job: dict, file: str, seed: int) -> ExerciseResult:
    """One exercise, run and judged; never raises."""
    try:
        return judge(name, sandbox.run(job), seed=seed, notebook=file)
    except Exception as error:  # noqa: BLE001 - the grader's own failure: this exercise's zero
        problem = f"{type(error).__name__}: {error}"[:300]
        result = ExerciseResult(name, CRASHED, notebook=file)
        result.error = _("the grader could not grade it ({error})", error=problem)
        return result


def finished(plan: Plan, results: dict) -> StudentResult:
    """The student's result, exercises in course order, with the flags of those that need one."""
    student = plan.result
    student.exercises = {name: student.exercises.get(name) or results[name] for name in EXERCISES}
    for name, result in student.exercises.items():
        if result.status in FLAGGED:
            word = STATUS_WORDS[result.status]
            student.flags.append(_("{status}: {exercise}", status=word, exercise=name))
    return student


# ------------------------------------------------------------------ resuming


def stored(work: Path, settings: Settings) -> dict:
    """{student id: (digest, result)} from an earlier run with the same settings."""
    key_file = work / "settings.json"
    same = key_file.is_file() and json.loads(key_file.read_text()) == settings.key()
    found = {}
    for path in sorted((work / "students").glob("*.json")) if same else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            found[data["result"]["student"]] = (data["digest"], data["result"])
        except (ValueError, KeyError, TypeError):
            continue  # not one of ours: graded again
    if not same:
        for path in (work / "students").glob("*.json"):
            path.unlink()
    write_atomic(key_file, lambda f: json.dump(settings.key(), f))
    return found


def keep(work: Path, plan: Plan, result: StudentResult) -> None:
    data = {"digest": plan.digest, "result": result.to_json()}
    path = work / "students" / f"{safe_name(result.student)}.json"
    write_atomic(path, lambda f: json.dump(data, f, ensure_ascii=False))


# ------------------------------------------------------------------ the batch


def grade(submissions: Path, out: Path, settings: Settings, say=None) -> list[StudentResult]:
    """Every student's result, in the order of their ids (SubmissionError: no class to grade)."""
    say = say or (lambda text: print(text, file=sys.stderr, flush=True))
    students = find_students(submissions)
    work = Path(out) / ".work"
    (work / "students").mkdir(parents=True, exist_ok=True)
    earlier = stored(work, settings)
    plans = {student.id: plan(student, settings.seed) for student in students}
    results = {
        sid: StudentResult.from_json(earlier[sid][1])
        for sid, p in plans.items()
        if sid in earlier and earlier[sid][0] == p.digest
    }
    if results:
        say(_("{n} of {total} students graded before", n=len(results), total=len(plans)))
    pending = {sid: p for sid, p in plans.items() if sid not in results}
    if pending:
        results |= grade_pending(pending, work, settings, say, len(results), len(plans))
    return [results[student.id] for student in students]


def grade_pending(plans: dict, work: Path, settings: Settings, say, before, total) -> dict:
    """The students not graded yet, each written to DIR/.work as soon as their last exercise is."""
    results = {}
    # The judges' tensors are tiny: threads of torch's own would only compete with the workers.
    torch.set_num_threads(1)

    def done(sid: str, judged: dict) -> None:
        results[sid] = finished(plans[sid], judged)
        keep(work, plans[sid], results[sid])
        count = before + len(results)
        say(_("graded {student} ({n} of {total})", student=sid, n=count, total=total))

    with (
        open(work / "workers.log", "ab") as log,
        Sandbox(settings.limits, jobs=settings.jobs, log=log) as sandbox,
        # Two threads per worker: one judges while the other's child runs.
        ThreadPoolExecutor(max_workers=2 * settings.jobs) as pool,
    ):
        waiting = {sid: set(p.jobs) for sid, p in plans.items()}
        judged = {sid: {} for sid in plans}
        futures = {
            pool.submit(run_exercise, sandbox, name, job, file, settings.seed): (sid, name)
            for sid, p in plans.items()
            for name, (job, file) in p.jobs.items()
        }
        for sid in [sid for sid in plans if not waiting[sid]]:
            done(sid, {})
        try:
            for future in as_completed(futures):
                sid, name = futures[future]
                judged[sid][name] = future.result()
                waiting[sid].discard(name)
                if not waiting[sid]:
                    done(sid, judged[sid])
        except BaseException:  # Ctrl-C: what is written stays; the rest is graded next time
            pool.shutdown(wait=False, cancel_futures=True)
            sandbox.stop()
            raise
    return results
