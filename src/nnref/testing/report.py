"""The kit's answer: one row per check, a table for people, `assert report.ok` for pytest.

In a notebook the report shows as an HTML table (`_repr_html_`); printed, or shown as text, it is
the same table in plain text. Either way its last line is the summary, `N passed, ..., M failed`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

PASS = "pass"
FAIL = "FAIL"  # upper case: the one status a reader must not miss in the table
SKIP = "skip"  # the check does not apply (e.g. neither side takes sparse gradients)
FORM = "form"  # differs, as declared: the same method written in another form (optimizers.Form)
TODO = "todo"  # an exercise still raises NotImplementedError: not done yet, not wrong
COLOURS = {PASS: "#1a7f37", FAIL: "#cf222e", SKIP: "#6e7781", FORM: "#9a6700", TODO: "#0969da"}


@dataclass(frozen=True)
class Row:
    check: str
    status: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status not in (FAIL, TODO)


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
            for status in (PASS, FORM, SKIP, TODO, FAIL)
        }
        parts = [f"{counts[PASS]} passed"]
        if counts[FORM]:
            parts.append(f"{counts[FORM]} differ by form (declared)")
        if counts[SKIP]:
            parts.append(f"{counts[SKIP]} skipped")
        if counts[TODO]:
            parts.append(f"{counts[TODO]} not done yet")
        parts.append(f"{counts[FAIL]} failed")
        return ", ".join(parts)

    @property
    def done(self) -> bool:
        """False while any row is an exercise not done yet."""
        return not any(row.status == TODO for row in self.rows)

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

    def _repr_html_(self) -> str:
        """The table as Jupyter shows it: one row per check, the failing rows' details in full."""
        cells = "".join(
            f"<tr><td>{html.escape(row.check)}</td>"
            f'<td style="color:{COLOURS.get(row.status, "inherit")};font-weight:600">'
            f"{html.escape(row.status)}</td>"
            f'<td style="text-align:left">{html.escape(row.detail)}</td></tr>'
            for row in self.rows
        )
        return (
            f'<div class="nnref-report"><p><b>{html.escape(self.subject)}</b></p>'
            "<table><thead><tr><th>check</th><th>result</th><th>detail</th></tr></thead>"
            f"<tbody>{cells}</tbody></table><p>{html.escape(self.summary())}</p></div>"
        )

    def _repr_pretty_(self, printer, cycle) -> None:
        # IPython's plain-text display (a terminal, a notebook's text/plain output): the table.
        printer.text(str(self))

    def __repr__(self) -> str:
        # What pytest prints under a failed `assert report.ok`: the failures, one per line.
        failures = "".join(f"\n  {row.check}: {row.detail}" for row in self.failures)
        return f"<Report {self.subject}: {self.summary()}{failures}>"
