"""Writes the example CSVs next to this file, once, from a fixed seed:
python examples/make_examples.py

Each file is small (200-240 rows) and has at least one nominal column, so training on it exercises
the one-hot path as well as the standardised numeric one.

red_black.csv    binary      x1, x2, city (Seoul/Daejeon/Busan) -> color (red/black): the course's
                             points
colors.csv       multiclass  x1, x2, shape (circle/square)       -> color (red/yellow/blue)
weather.csv      multilabel  temp, wind, season                  -> tags, e.g. "sunny|windy"
                             ("" = no tag)
houses.csv       regression  area, rooms, zone (codes 1/2/3), city -> price (numeric; zone is
                             nominal via data.nominal)
new_points.csv   new rows for predict.py: red_black's features without the color, one city never
                 seen (Incheon)
"""

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def write(name, header, rows):
    with open(HERE / name, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def red_black(rng, n=200):
    # Red points sit near (-1, -1) and black ones near (1, 1); the city leans red (Seoul) or black
    # (Busan).
    color = rng.permutation(np.repeat(["red", "black"], n // 2))
    centre = np.where(color[:, None] == "red", -1.0, 1.0)
    x = rng.normal(centre, 0.9, size=(n, 2))
    lean = {"red": [0.5, 0.3, 0.2], "black": [0.2, 0.3, 0.5]}
    city = [rng.choice(["Seoul", "Daejeon", "Busan"], p=lean[c]) for c in color]
    return ["x1", "x2", "city", "color"], [
        [f"{a:.3f}", f"{b:.3f}", s, c] for (a, b), s, c in zip(x, city, color)
    ]


def colors(rng, n=240):
    centres = {"red": (-1.5, 0.0), "yellow": (1.5, 0.0), "blue": (0.0, 2.0)}
    color = rng.permutation(np.repeat(list(centres), n // 3))
    x = np.array([rng.normal(centres[c], 0.7) for c in color])
    shape = [
        rng.choice(["circle", "square"], p=[0.7, 0.3] if c == "blue" else [0.4, 0.6]) for c in color
    ]
    return ["x1", "x2", "shape", "color"], [
        [f"{a:.3f}", f"{b:.3f}", s, c] for (a, b), s, c in zip(x, shape, color)
    ]


def weather(rng, n=240):
    # Tags are (noisy) rules: sunny when warm, windy when the wind is strong, cold in winter or when
    # chilly.
    season = rng.choice(["spring", "summer", "autumn", "winter"], size=n)
    base = {"spring": 14.0, "summer": 26.0, "autumn": 12.0, "winter": 0.0}
    temp = np.array([base[s] for s in season]) + rng.normal(0, 5, n)
    wind = rng.gamma(2.0, 3.0, n)
    rows = []
    for t, w, s in zip(temp, wind, season):
        tags = []
        if t + rng.normal(0, 2) > 18:
            tags.append("sunny")
        if w + rng.normal(0, 1) > 7:
            tags.append("windy")
        if s == "winter" or t + rng.normal(0, 2) < 5:
            tags.append("cold")
        rows.append([f"{t:.1f}", f"{w:.1f}", s, "|".join(tags)])
    return ["temp", "wind", "season", "tags"], rows


def houses(rng, n=200):
    # Price in thousands: area and rooms add value; zone is a code (1, 2, 3), not a quantity.
    area = rng.uniform(40, 160, n)
    rooms = np.clip(np.round(area / 35 + rng.normal(0, 0.7, n)), 1, 6)
    zone = rng.choice([1, 2, 3], size=n)
    city = rng.choice(["Seoul", "Daejeon", "Busan"], size=n, p=[0.5, 0.2, 0.3])
    zone_add = {1: 60.0, 2: -20.0, 3: 25.0}
    city_add = {"Seoul": 150.0, "Daejeon": 0.0, "Busan": 60.0}
    price = (
        4.0 * area
        + 15.0 * rooms
        + np.array([zone_add[z] for z in zone])
        + np.array([city_add[c] for c in city])
        + rng.normal(0, 25, n)
    )
    header = ["area", "rooms", "zone", "city", "price"]
    return header, [
        [f"{a:.1f}", int(r), int(z), c, f"{p:.1f}"]
        for a, r, z, c, p in zip(area, rooms, zone, city, price)
    ]


def new_points(rng, n=6):
    x = rng.normal(0.0, 1.5, size=(n, 2))
    city = ["Seoul", "Busan", "Daejeon", "Incheon", "Seoul", "Busan"][:n]
    return ["x1", "x2", "city"], [[f"{a:.3f}", f"{b:.3f}", c] for (a, b), c in zip(x, city)]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    for name, make in [
        ("red_black.csv", red_black),
        ("colors.csv", colors),
        ("weather.csv", weather),
        ("houses.csv", houses),
        ("new_points.csv", new_points),
    ]:
        header, rows = make(rng)
        write(name, header, rows)
        print(f"{name}: {len(rows)} rows, columns {header}")
