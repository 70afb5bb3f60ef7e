"""The kit's answer: one row per check, a table for people, `assert report.ok` for pytest."""

from __future__ import annotations

from dataclasses import dataclass, field

PASS = "pass"
FAIL = "FAIL"  # upper case: the one status a reader must not miss in the table
SKIP = "skip"  # the check does not apply (e.g. neither side takes sparse gradients)
FORM = "form"  # differs, as declared: the same method written in another form (optimizers.Form)


@dataclass(frozen=True)
class Row:
    check: str
    status: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status != FAIL


@dataclass
class Report:
    # what was checked, e.g. "StudentMomentum(lr=0.05, momentum=0.9) vs nnref.optim.Momentum(...)"
    subject: str
    rows: list[Row] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    @property
    def failures(self) -> list[Row]:
        return [row for row in self.rows if not row.ok]

    def __getitem__(self, check: str) -> Row:
        for row in self.rows:
            if row.check == check:
                return row
        raise KeyError(
            f"no check named {check!r}; checks: {', '.join(row.check for row in self.rows)}"
        )

    def summary(self) -> str:
        counts = {
            status: sum(row.status == status for row in self.rows)
            for status in (PASS, FORM, SKIP, FAIL)
        }
        parts = [f"{counts[PASS]} passed"]
        if counts[FORM]:
            parts.append(f"{counts[FORM]} differ by form (declared)")
        if counts[SKIP]:
            parts.append(f"{counts[SKIP]} skipped")
        parts.append(f"{counts[FAIL]} failed")
        return ", ".join(parts)

    def __str__(self) -> str:
        width = max([len("check"), *(len(row.check) for row in self.rows)])
        lines = [
            self.subject,
            "",
            f"{'check':<{width}}  result  detail",
            f"{'-' * width}  ------  ------",
        ]
        lines += [
            f"{row.check:<{width}}  {row.status:<6}  {row.detail}".rstrip() for row in self.rows
        ]
        return "\n".join([*lines, "", self.summary()])

    def __repr__(self) -> str:
        # What pytest prints under a failed `assert report.ok`: the failures, one per line.
        failures = "".join(f"\n  {row.check}: {row.detail}" for row in self.failures)
        return f"<Report {self.subject}: {self.summary()}{failures}>"
