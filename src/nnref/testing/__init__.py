"""nnref.testing: check your optimizer or output layer against the course and against torch.

    from nnref.testing import check_optimizer, check_head
    report = check_optimizer(lambda params: MyMomentum(params, lr=0.05), twin="momentum")
    assert report.ok, report          # pytest; print(report) for the table

    @optimizer_checks(lambda params: MyMomentum(params, lr=0.05), twin="momentum")
    def test_my_momentum(check):      # one pytest item per check
        check()

    nnref-check optimizer mypkg.mymod:MyMomentum --twin momentum

    check_exercise("softmax", softmax)  # a notebook's exercise: the report as a table
    use_language("ko")                  # reports in Korean from now on (the Korean notebooks)

Where things are: optimizers.py (check_optimizer: the optimizer under test, its twin, declared
forms, the plan of checks), runs.py and behaviour.py (each check's probe and judge), problems.py
(the problems, paths and the one-line comparison), heads.py (check_head), cases.py, probes.py,
references.py and exercises.py (the notebooks' exercises: their inputs, the student's code run on
them, the answers, the verdicts), plain.py (results as plain data), report.py, parametrize.py
(pytest), cli.py.
docs/testing.md has the checks, the conventions and the command line.

The names below are imported when first asked for (PEP 562): the grader's child process imports
the probes' modules alone, without nnref's reference implementations, so that a student's import
of them can be told from the kit's own.
"""

import importlib

# name -> the module of this package that defines it
EXPORTS = {
    "check_exercise": "exercises",
    "EXERCISES": "cases",
    "check_optimizer": "optimizers",
    "check_head": "heads",
    "optimizer_checks": "parametrize",
    "head_checks": "parametrize",
    "Report": "report",
    "Row": "report",
    "use_language": "report",
    "Form": "optimizers",
    "KNOWN_FORMS": "optimizers",
    "NAMED_TWINS": "optimizers",
    "KitError": "optimizers",
}
__all__ = list(EXPORTS)


def __getattr__(name):
    if name not in EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{EXPORTS[name]}", __name__), name)


def __dir__():
    return sorted([*globals(), *EXPORTS])
