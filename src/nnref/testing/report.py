"""The kit's answer: one row per check, a table for people, `assert report.ok` for pytest.

In a notebook the report shows as an HTML table (`_repr_html_`); printed, or shown as text, it is
the same table in plain text. Either way its last line is the summary, `N passed, ..., M failed`.

Every text of a report is a message (nnref.locale.messages): a str in English, which is what a
program reads (`report["..."]`, `row.check`, `row.detail`), that keeps its message ID and values.
The report shows them in its language (`use_language("ko")`, as the Korean notebooks start; or a
report's own `lang`), looked up in the catalog with the glossary's words: in Korean the summary is
`통과 N, ..., 실패 M`, the same numbers in the same order.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass, field

from nnref.locale import LANGUAGES
from nnref.locale.messages import Message, _, render

PASS = "pass"
FAIL = "FAIL"  # upper case: the one status a reader must not miss in the table
SKIP = "skip"  # the check does not apply (e.g. neither side takes sparse gradients)
FORM = "form"  # differs, as declared: the same method written in another form (optimizers.Form)
TODO = "todo"  # an exercise still raises NotImplementedError: not done yet, not wrong
COLOURS = {PASS: "#1a7f37", FAIL: "#cf222e", SKIP: "#6e7781", FORM: "#9a6700", TODO: "#0969da"}
# Each status as the table shows it (in English, the status itself).
STATUS_WORDS = {
    PASS: _("pass"),
    FAIL: _("FAIL"),
    SKIP: _("skip"),
    FORM: _("form"),
    TODO: _("todo"),
}
ORDER = (PASS, FORM, SKIP, TODO, FAIL)  # the summary's order


def summary_part(status: str, n: int) -> Message:
    """One count of the summary: "3 passed" (in Korean the count comes after the word)."""
    return {
        PASS: _("{n} passed", n=n),
        FORM: _("{n} differ by form (declared)", n=n),
        SKIP: _("{n} skipped", n=n),
        TODO: _("{n} not done yet", n=n),
        FAIL: _("{n} failed", n=n),
    }[status]


LANGUAGE = ["en"]  # the reports' language unless a report names its own: use_language()


def width(text: str) -> int:
    """Columns a text takes in a monospaced table: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def use_language(lang: str) -> None:
    """Show reports in this language from now on: "en" (the default) or "ko"."""
    if lang not in LANGUAGES:
        raise ValueError(
            _("language {lang!r}: unknown; valid: {valid}", lang=lang, valid=", ".join(LANGUAGES))
        )
    LANGUAGE[0] = lang


@dataclass(frozen=True)
class Row:
    check: str  # a Message: English as a str, shown in the report's language
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
    lang: str | None = None  # None: the language use_language() set

    @property
    def language(self) -> str:
        return self.lang or LANGUAGE[0]

    def shown(self, text: str) -> str:
        """A text of the report (a check's name, a detail, the subject) in its language."""
        return render(text, self.language)

    def status_word(self, status: str) -> str:
        return self.shown(STATUS_WORDS.get(status, status))

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
            _(
                "no check named {check!r}; checks: {checks}",
                check=check,
                checks=", ".join(row.check for row in self.rows),
            )
        )

    def summary(self) -> str:
        counts = {status: sum(row.status == status for row in self.rows) for status in ORDER}
        shown = [PASS, *(s for s in (FORM, SKIP, TODO) if counts[s]), FAIL]
        return ", ".join(self.shown(summary_part(status, counts[status])) for status in shown)

    @property
    def done(self) -> bool:
        """False while any row is an exercise not done yet."""
        return not any(row.status == TODO for row in self.rows)

    def headings(self) -> list[str]:
        return [self.shown(_("check")), self.shown(_("result")), self.shown(_("detail"))]

    def __str__(self) -> str:
        names = self.headings()
        rows = [
            (self.shown(row.check), self.status_word(row.status), self.shown(row.detail))
            for row in self.rows
        ]
        first = max([width(names[0]), *(width(check) for check, _, _ in rows)])
        second = max([6, width(names[1]), *(width(status) for _, status, _ in rows)])
        lines = [
            self.shown(self.subject),
            "",
            f"{pad(names[0], first)}  {pad(names[1], second)}  {names[2]}",
            f"{'-' * first}  {'-' * second}  ------",
        ]
        lines += [
            f"{pad(check, first)}  {pad(status, second)}  {detail}".rstrip()
            for check, status, detail in rows
        ]
        return "\n".join([*lines, "", self.summary()])

    def _repr_html_(self) -> str:
        """The table as Jupyter shows it: one row per check, the failing rows' details in full."""
        cells = "".join(
            f"<tr><td>{html.escape(self.shown(row.check))}</td>"
            f'<td style="color:{COLOURS.get(row.status, "inherit")};font-weight:600">'
            f"{html.escape(self.status_word(row.status))}</td>"
            f'<td style="text-align:left">{html.escape(self.shown(row.detail))}</td></tr>'
            for row in self.rows
        )
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.headings())
        return (
            f'<div class="nnref-report"><p><b>{html.escape(self.shown(self.subject))}</b></p>'
            f"<table><thead><tr>{head}</tr></thead>"
            f"<tbody>{cells}</tbody></table><p>{html.escape(self.summary())}</p></div>"
        )

    def _repr_pretty_(self, printer, cycle) -> None:
        # IPython's plain-text display (a terminal, a notebook's text/plain output): the table.
        printer.text(str(self))

    def __repr__(self) -> str:
        # What pytest prints under a failed `assert report.ok`: the failures, one per line.
        failures = "".join(f"\n  {row.check}: {row.detail}" for row in self.failures)
        return f"<Report {self.subject}: {self.summary()}{failures}>"
