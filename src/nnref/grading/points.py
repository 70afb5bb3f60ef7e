"""Each exercise's points: 1 by default, or a YAML file's (`--points FILE`: exercise -> points).

    fold_linear_layers: 2
    Adam: 3
    minibatches: 0        # not part of this homework

An exercise the file does not name keeps its 1 point. An exercise earns its points times the share
of its checks passed (nnref.grading.judge).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from nnref.locale.messages import _
from nnref.testing.cases import EXERCISES


class PointsError(ValueError):
    """A points file that cannot be used: one line naming the file, the entry and what is valid."""


def read_points(path: Path | None) -> dict[str, float]:
    """{exercise: points} in course order."""
    points = dict.fromkeys(EXERCISES, 1.0)
    if path is None:
        return points
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        problem = str(error).splitlines()[0] if str(error) else type(error).__name__
        message = _("{path}: cannot read it ({error})", path=str(path), error=problem)
        raise PointsError(message) from None
    if not isinstance(data, dict):
        raise PointsError(
            _("{path}: expected a mapping, exercise: points (e.g. softmax: 2)", path=str(path))
        )
    for name, value in data.items():
        if name not in EXERCISES:
            raise PointsError(
                _(
                    "{path}: {name!r} is not an exercise; exercises: {names}",
                    path=str(path),
                    name=name,
                    names=", ".join(EXERCISES),
                )
            )
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise PointsError(
                _(
                    "{path}: {name}: {value!r} is not a number of points (0 or more)",
                    path=str(path),
                    name=name,
                    value=value,
                )
            )
        points[name] = float(value)
    return points
