"""nnref.testing: check your optimizer or output layer against the course and against torch.

    from nnref.testing import check_optimizer, check_head
    report = check_optimizer(lambda params: MyMomentum(params, lr=0.05), twin="momentum")
    assert report.ok, report          # pytest; print(report) for the table

    @optimizer_checks(lambda params: MyMomentum(params, lr=0.05), twin="momentum")
    def test_my_momentum(check):      # one pytest item per check
        check()

    python -m nnref.testing optimizer mypkg.mymod:MyMomentum --twin momentum

docs/testing.md has the checks, the conventions and the command line.
"""
from .forms import KNOWN_FORMS, Form
from .head import check_head
from .optimizer import check_optimizer
from .parametrize import head_checks, optimizer_checks
from .report import Report, Row
from .twins import NAMED_TWINS, KitError

__all__ = [
    "check_optimizer",
    "check_head",
    "optimizer_checks",
    "head_checks",
    "Report",
    "Row",
    "Form",
    "KNOWN_FORMS",
    "NAMED_TWINS",
    "KitError",
]
