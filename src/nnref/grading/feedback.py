"""A student's feedback, in Markdown and HTML, in the language asked for.

Every exercise with its status and points; for one that fails, its report as the notebook's check
shows it (the rules that broke, the first numbers that differ, the likely mistake), never the
reference's code, and for a case drawn from the seed never its expected values (the kit's judge
leaves them out); for a zero, why.
"""

from __future__ import annotations

import html

from nnref.locale.messages import _, render
from nnref.testing.cases import EXERCISES
from nnref.testing.report import Report, Row

from .results import (
    CRASHED,
    FAILED,
    MEMORY,
    MISSING,
    NOT_DEFINED,
    NOT_DONE,
    PASSED,
    TIME,
    USES_NNREF,
)

STATUSES = {
    PASSED: _("passed"),
    FAILED: _("some checks failed"),
    NOT_DONE: _("not done yet"),
    MISSING: _("missing"),
    NOT_DEFINED: _("not defined"),
    TIME: _("time limit"),
    MEMORY: _("memory limit"),
    CRASHED: _("crashed"),
    USES_NNREF: _("uses nnref"),
}
WHY = {
    NOT_DONE: _("it still raises NotImplementedError"),
    MISSING: _("no notebook handed in defines it"),
    NOT_DEFINED: _("the cell that defines it did not run to its end, so it is not defined"),
    TIME: _("it ran past the time limit and was stopped"),
    MEMORY: _("it ran out of the memory it may use"),
    CRASHED: _("its process ended while it was checked"),
    USES_NNREF: _("it uses nnref's own implementation; the exercise is to write it"),
}


def number(x: float) -> str:
    return f"{round(x, 3):g}"


def report_of(name: str, result, lang: str) -> Report:
    """The exercise's rows as the notebook's check shows them."""
    ex = EXERCISES[name]
    subject = _("{exercise}, lecture {lecture}", exercise=ex.shown, lecture=ex.lecture)
    return Report(subject, [Row(*row) for row in result.rows], lang=lang)


def heading(name: str, result, points: dict, lang: str) -> str:
    earned = number(result.share * points[name])
    status = render(STATUSES[result.status], lang)
    return render(
        _(
            "{exercise}: {status}, {earned} of {points}",
            exercise=name,
            status=status,
            earned=earned,
            points=number(points[name]),
        ),
        lang,
    )


def reason(result, lang: str) -> str:
    """Why an exercise has no points, in a line: the status's reason, and its error."""
    why = render(WHY[result.status], lang)
    detail = render(result.error, lang) if result.error else ""
    return f"{why} ({detail})" if detail else why


def total_line(result, points: dict, lang: str) -> str:
    earned = sum(r.share * points[name] for name, r in result.exercises.items())
    return render(
        _(
            "total: {earned} of {points}",
            earned=number(earned),
            points=number(sum(points.values())),
        ),
        lang,
    )


def markdown(result, points: dict, lang: str) -> str:
    title = render(_("Feedback for {student}", student=result.name or result.student), lang)
    lines = [f"# {title}", "", total_line(result, points, lang), ""]
    if result.flags:
        lines += [f"- {render(flag, lang)}" for flag in result.flags] + [""]
    for name, r in result.exercises.items():
        lines += [f"## {heading(name, r, points, lang)}", ""]
        if r.status == FAILED:
            lines += ["```", str(report_of(name, r, lang)), "```", ""]
        elif r.status not in (PASSED,):
            lines += [reason(r, lang), ""]
    return "\n".join(lines)


STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.2rem .5rem;"
    "text-align:left;vertical-align:top}:lang(ko){word-break:keep-all}"
)


def html_page(result, points: dict, lang: str) -> str:
    title = render(_("Feedback for {student}", student=result.name or result.student), lang)
    parts = [
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1><p>{html.escape(total_line(result, points, lang))}</p>",
    ]
    if result.flags:
        items = "".join(f"<li>{html.escape(render(flag, lang))}</li>" for flag in result.flags)
        parts.append(f"<ul>{items}</ul>")
    for name, r in result.exercises.items():
        parts.append(f"<h2>{html.escape(heading(name, r, points, lang))}</h2>")
        if r.status == FAILED:
            parts.append(report_of(name, r, lang)._repr_html_())
        elif r.status != PASSED:
            parts.append(f"<p>{html.escape(reason(r, lang))}</p>")
    parts.append("</body></html>")
    return "".join(parts)
