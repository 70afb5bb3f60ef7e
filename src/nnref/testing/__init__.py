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
forms, the plan of checks), behaviour.py (each check), problems.py (the problems, paths and the
one-line comparison), heads.py (check_head), exercises.py (the notebooks' exercises), report.py,
parametrize.py (pytest), cli.py.
docs/testing.md has the checks, the conventions and the command line.
"""

from .exercises import EXERCISES, check_exercise
from .heads import check_head
from .optimizers import KNOWN_FORMS, NAMED_TWINS, Form, KitError, check_optimizer
from .parametrize import head_checks, optimizer_checks
from .report import Report, Row, use_language

__all__ = [
    "check_exercise",
    "EXERCISES",
    "check_optimizer",
    "check_head",
    "optimizer_checks",
    "head_checks",
    "Report",
    "Row",
    "use_language",
    "Form",
    "KNOWN_FORMS",
    "NAMED_TWINS",
    "KitError",
]
