"""The teacher's page, summary.html: the class at a glance, in the language asked for.

- per exercise: how many students did it, passed it and failed it, and the mean points;
- the likely mistakes the checks named, with how many students made each, as a bar chart (its bars
  numbered, the mistakes written out in the table under it, so that the picture needs no font for
  Korean) and a table;
- every student's flags;
- the seed, nnref's version and the limits the grades were made with.

One file: the chart is in it as a PNG (data: URL).
"""

from __future__ import annotations

import base64
import html
import io
from collections import Counter

from nnref.locale.messages import _, render

from .results import MISSING, NOT_DONE, PASSED


def number(x: float) -> str:
    return f"{round(x, 3):g}"


def per_exercise(results, points: dict) -> list[tuple]:
    """(exercise, did it, passed, failed, mean points) for each exercise."""
    rows = []
    for name in points:
        exercise_results = [r.exercises[name] for r in results]
        did = [r for r in exercise_results if r.status not in (MISSING, NOT_DONE)]
        passed = sum(r.status == PASSED for r in did)
        mean = sum(r.share * points[name] for r in exercise_results) / max(1, len(results))
        rows.append((name, len(did), passed, len(did) - passed, mean))
    return rows


def mistakes(results) -> list[tuple[str, object, int]]:
    """(exercise, hint, students who made it), the commonest first."""
    counts = Counter()
    hints = {}
    for result in results:
        for name, r in result.exercises.items():
            for hint in {str(h): h for h in r.hints}.values():  # once per student
                counts[name, str(hint)] += 1
                hints[name, str(hint)] = hint
    return [(name, hints[name, key], n) for (name, key), n in counts.most_common()]


def chart(found: list) -> str:
    """The mistakes as a horizontal bar chart, a PNG as a data: URL ("" when there are none)."""
    if not found:
        return ""
    import matplotlib  # noqa: PLC0415 - only a class with mistakes draws

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # noqa: PLC0415

    figure = Figure(figsize=(7, 0.4 * len(found) + 1.0))
    axes = figure.subplots()
    labels = [f"{i + 1}. {name}" for i, (name, _hint, _n) in enumerate(found)]
    axes.barh(labels[::-1], [n for _name, _hint, n in found][::-1], color="#cf222e")
    axes.xaxis.get_major_locator().set_params(integer=True)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def table(head: list[str], rows: list[list[str]]) -> str:
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem}"
    "table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;"
    "padding:.2rem .5rem;text-align:left}:lang(ko){word-break:keep-all}"
)


def html_page(results, points: dict, lang: str, about: dict) -> str:
    def say(message) -> str:
        return html.escape(render(message, lang))

    title = say(_("The class: {n} students", n=len(results)))
    parts = [
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{title}</title>",
        f"<style>{STYLE}</style></head><body><h1>{title}</h1>",
        f"<h2>{say(_('Exercises'))}</h2>",
    ]
    head = [render(h, lang) for h in (_("exercise"), _("did it"), _("passed"), _("failed"))]
    head.append(render(_("mean points"), lang))
    rows = [
        [name, did, passed, failed, f"{number(mean)} / {number(points[name])}"]
        for name, did, passed, failed, mean in per_exercise(results, points)
    ]
    parts.append(table(head, rows))
    found = mistakes(results)
    parts.append(f"<h2>{say(_('The likely mistakes the checks named'))}</h2>")
    if found:
        parts.append(f"<img alt='' src='{chart(found)}'>")
        head = [render(h, lang) for h in (_("exercise"), _("likely mistake"), _("students"))]
        rows = [
            [f"{i + 1}. {name}", render(hint, lang), n] for i, (name, hint, n) in enumerate(found)
        ]
        parts.append(table(head, rows))
    else:
        parts.append(f"<p>{say(_('none'))}</p>")
    parts.append(f"<h2>{say(_('Flags'))}</h2>")
    flagged = [[r.student, "; ".join(render(f, lang) for f in r.flags)] for r in results if r.flags]
    head = [render(_("student"), lang), render(_("flags"), lang)]
    parts.append(table(head, flagged) if flagged else f"<p>{say(_('none'))}</p>")
    parts.append(f"<h2>{say(_('How these grades were made'))}</h2>")
    about_rows = [[render(key, lang), value] for key, value in about.items()]
    parts.append(table([render(_("setting"), lang), render(_("value"), lang)], about_rows))
    parts.append("</body></html>")
    return "".join(parts)
