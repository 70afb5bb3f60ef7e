"""The playground as a class uses it, in a headless Chromium: a student's own points and CSV, the
presets the site links to, the optimizer's insides step by step, the model to take home, several
tabs and sessions at once, and every kind of bad input named where it belongs.

The server is `nnref-playground`, as a teacher starts it (tests/support/serve.py); what each test
reads is what a student sees on the page."""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from support.page import (
    GUARD_MS,
    LINE_BREAKS_JS,
    READY_JS,
    open_page,
    wait_for_status,
    wait_for_text,
    wait_until,
    words_split,
)

from nnref.experiments.optimizer_paths import SURFACES
from nnref.optim import OPTIMIZERS
from nnref.playground.fields import DATASETS, format_hidden, training_fields
from nnref.playground.link_events import preset_values
from nnref.playground.presets import PRESETS
from nnref.playground.settings import PathSettings

ROOT = Path(__file__).resolve().parents[1]
PRESET_LINK = re.compile(r"\]\((http://127\.0\.0\.1:7860/\?preset=([a-z-]+))\)")

pytestmark = pytest.mark.slow


def server_errors(page) -> list:
    """Every response of 500 or more the page gets, from now on."""
    seen = []
    page.on("response", lambda r: seen.append((r.status, r.url)) if r.status >= 500 else None)
    return seen


# ----------------------------------------------------------------- the fields as the page shows
SHOWN_JS = """() => { const out = {};
  for (const el of document.querySelectorAll('[id^=field-]')) {
    const id = el.id.slice(6);
    const radios = [...el.querySelectorAll('input[type=radio]')];
    const boxes = [...el.querySelectorAll('input[type=checkbox]')];
    if (radios.length) out[id] = radios.filter(r => r.checked).map(r => r.value)[0] ?? null;
    else if (boxes.length > 1 || id === 'optimizers')
      out[id] = boxes.filter(r => r.checked).map(r => r.closest('label').innerText.trim());
    else if (boxes.length) out[id] = boxes[0].checked;
    else { const i = el.querySelector('input, textarea'); if (i) out[id] = i.value; }
  }
  return out; }"""


def shown_fields(page) -> dict:
    """{field: value} of every field on the page now, in the playground's own terms (a dropdown's
    label read back as its value; the paths tab's lr and gamma as p_lr, p_gamma)."""
    labels = {label: name for name, label in DATASETS.items()}
    out = {}
    for field, value in page.evaluate(SHOWN_JS).items():
        if field == "data":
            value = labels.get(value, value)
        elif field == "surface":
            value = next((n for n in SURFACES if value.startswith(n.replace("_", " "))), value)
        out[field] = value
    return out


def same(shown, expected) -> bool:
    if isinstance(expected, bool) or isinstance(shown, (bool, list)):
        return shown == expected
    if isinstance(expected, (int, float)):
        return shown not in ("", None) and float(shown) == float(expected)
    if isinstance(expected, (tuple, list)):
        return shown == format_hidden(expected)
    return str(shown) == str(expected)


def expected_fields(name: str) -> dict:
    """What a preset's page must show: its tab's fields, with the paths tab's keys as the page
    names them."""
    training, paths, _ = preset_values(name)
    names = [f.name for f in training_fields()]
    expected = {k: v for k, v in training.items() if k in names and k != "csv_file"}
    expected |= {{"lr": "p_lr", "gamma": "p_gamma"}.get(k, k): v for k, v in paths.items()}
    return expected


def preset_links() -> dict:
    """{preset: the docs pages that link to it} over the site's claim pages."""
    links = {}
    for page in sorted((ROOT / "docs" / "claims").glob("*.md")):
        for _, name in PRESET_LINK.findall(page.read_text()):
            links.setdefault(name, []).append(page.name)
    return links


def test_every_preset_is_linked_from_a_claim_page_and_every_link_names_a_preset():
    links = preset_links()
    assert set(links) == set(PRESETS), set(PRESETS) ^ set(links)


# One test per preset, so that the two workers share the page loads.
@pytest.mark.parametrize("name", sorted(preset_links()))
def test_every_preset_link_in_the_docs_opens_the_fields_of_its_preset(site, name):
    page = open_page(site, f"?preset={name}")
    errors = server_errors(page)
    preset = PRESETS[name]
    wait_for_text(page, "#preset-claim", preset.title)
    expected = expected_fields(name)
    keys = [
        {"lr": "p_lr", "gamma": "p_gamma"}.get(f, f) if preset.tab == "paths" else f
        for f in preset.values
    ]
    # What the preset sets is on the page, as it sets it (once the load events have run).
    wrong = wait_until(functools.partial(wrong_fields, page, keys, expected))
    assert not wrong, (name, wrong)
    claim = page.locator("#preset-claim").inner_text()
    assert f"lecture {preset.lecture}" in claim and not errors, name


def wrong_fields(page, keys, expected) -> dict:
    """The fields that do not (yet) show what they should: missing ones, and (shown, expected)."""
    shown = shown_fields(page)
    missing = {k: None for k in keys if k not in shown}
    return missing | {
        k: (shown[k], v) for k, v in expected.items() if k in shown and not same(shown[k], v)
    }


# ----------------------------------------------------------------- a student's own data
def click_map(page, points) -> None:
    """Click the training picture's map at (u, v) in [0, 1]² of its axes, in each point's class."""
    from nnref.playground.pictures import MAP_AXES, TRAINING_DPI, TRAINING_SIZE

    image = page.locator("#train-picture img")
    natural = page.evaluate("() => document.querySelector('#train-picture img').naturalWidth")
    scale = image.bounding_box()["width"] / natural
    left, bottom, width, height = MAP_AXES
    for n, (u, v, colour) in enumerate(points, start=1):
        page.locator("#field-colour").get_by_label(colour, exact=True).check()
        x = (left + width * u) * TRAINING_SIZE[0] * TRAINING_DPI * scale
        y = (1 - (bottom + height * v)) * TRAINING_SIZE[1] * TRAINING_DPI * scale
        image.click(position={"x": x, "y": y})
        if n < 3:
            wait_for_status(page, f"{n} so far")


def test_three_clicked_points_train_and_the_command_reproduces_them(site, tmp_path):
    page = open_page(site, "?data=points")
    errors = server_errors(page)
    wait_for_status(page, "none yet")
    click_map(page, [(0.2, 0.2, "red"), (0.8, 0.8, "black"), (0.25, 0.7, "red")])
    wait_for_status(page, "ready")
    page.locator("#train-button").click()
    status = wait_for_status(page, "done")
    first, last = (
        float(v) for v in re.search(r"train loss ([\d.e+-]+) → ([\d.e+-]+)", status).groups()
    )
    assert last < first and "accuracy 1" in status and "no validation rows" in status
    command = page.locator("#train-command").inner_text()
    assert "data=csv" in command and "data.path=points.csv" in command
    with page.expect_download() as download:
        page.locator("#train-data a[download]").first.click()
    saved = tmp_path / "points.csv"
    download.value.save_as(saved)
    rows = saved.read_text().strip().splitlines()
    assert rows[0] == "x1,x2,label" and sorted(r.split(",")[2] for r in rows[1:]) == [
        "black",
        "red",
        "red",
    ]
    assert not errors


def upload(page, path) -> None:
    page.locator("#field-csv_file input[type=file]").set_input_files(str(path))


def test_an_uploaded_csv_picks_its_head_and_trains(site, tmp_path):
    csv = tmp_path / "three.csv"
    csv.write_text(
        "a,b,label\n"
        + "".join(f"{i % 7 - 3},{(i * 3) % 5 - 2},{'xyz'[i % 3]}\n" for i in range(60))
    )
    page = open_page(site, "?data=csv")
    upload(page, csv)
    page.wait_for_function(
        "() => document.querySelector('#field-head input').value === 'multiclass'"
    )
    wait_for_status(page, "ready")
    page.locator("#train-button").click()
    status = wait_for_status(page, "done")
    assert "accuracy" in status and "task=multiclass" in page.locator("#train-command").inner_text()


# Fmt: skip.
@pytest.mark.parametrize(
    "name, text, message",
    [
        ("malformed.csv", 'a,b,label\n1,2,x\n3,"4,y\n', "malformed.csv: line 3 has 2 cells"),
        ("empty.csv", "a,b,label\n", "empty.csv: the file has a header but no data rows"),
        (
            "words.csv",
            "a,b,label\n1,2,x\n3,oops,y\n1,1,x\n2,2,y\n",
            "row 2, column 'b' holds text ('oops')",
        ),
        ("many.csv", "a,b,label\n" + "1,2,x\n2,1,y\n" * 1250, "2500 rows; at most 2000"),
    ],
    ids=["malformed", "empty", "words", "many"],
)
def test_a_bad_csv_is_named_at_its_field_and_the_server_lives_on(
    site, tmp_path, name, text, message
):
    path = tmp_path / name
    path.write_text(text)
    page = open_page(site, "?data=csv")
    errors = server_errors(page)
    upload(page, path)
    wait_for_text(page, "#field-csv_file", message)
    page.locator("#train-button").click()
    # Long enough for a run to have started, were one let through (a slow machine only makes this
    # pass more easily); Train's validator then names the file's fault again, once it answers.
    page.wait_for_timeout(1000)
    wait_for_text(page, "#field-csv_file", message)
    assert "ready" in page.locator("#train-status").inner_text() and not errors
    page.close()


def test_a_50_mb_upload_is_refused_before_it_reaches_the_server(site, tmp_path):
    big = tmp_path / "big.csv"
    with big.open("w") as f:
        f.write("a,b,label\n" + "1,2,x\n" * (50 * 1024 * 1024 // 6))
    page = open_page(site, "?data=csv")
    errors = server_errors(page)
    upload(page, big)
    toast = wait_for_text(page, ".toast-body", "exceed the maximum allowed size of 1.0 Mb")
    assert "big.csv" in toast
    page.locator("#train-button").click()
    wait_for_text(page, "#field-csv_file", "upload a CSV")
    assert not errors


def test_a_bad_link_names_each_bad_value_at_its_field_and_opens_with_the_defaults(site):
    url, _ = site
    page = site.new_context().new_page()
    errors = server_errors(page)
    page.goto(url + "?lr=abc&opt=nope&epochs=999999999&hidden=8,8")
    page.wait_for_function(READY_JS, timeout=GUARD_MS)
    wait_for_text(page, "#field-lr", "'abc' is not a number")
    assert "'nope' is not one of gd, momentum" in page.locator("#field-optimizer").inner_text()
    assert "999999999 is out of range" in page.locator("#field-epochs").inner_text()
    shown = shown_fields(page)
    assert (shown["optimizer"], shown["lr"], shown["epochs"], shown["hidden"]) == (
        "momentum",
        "0.02",
        "100",
        "8,8",
    )
    assert "⚠" in page.locator("#link-notice").inner_text()
    page.locator("#train-button").click()  # the defaults (and the good value) train
    wait_for_status(page, "done")
    assert not errors and not page.locator(".toast-body").count()


# ----------------------------------------------------------------- the optimizer's insides
def table_rows(text: str) -> dict:
    """The step table as {quantity: (x, y)}."""
    rows = {}
    for line in text.splitlines():
        cells = line.split("\t")
        if len(cells) == 3 and cells[0] != "quantity":
            rows[cells[0]] = tuple(float(c) if c != "—" else None for c in cells[1:])
    return rows


def test_three_steps_of_nag_show_its_own_state(site):
    page = open_page(site, "?tab=paths")
    page.locator("#stepper").get_by_text("One optimizer, step by step").click()
    for step in (1, 2, 3):
        page.locator("#step-button").click()
        wait_for_text(page, "#step-table", f"step {step}:")
    rows = table_rows(page.locator("#step-table").inner_text())

    # The same three updates by nnref.optim itself, from the page's start, lr and gamma.
    settings = PathSettings()
    f = SURFACES[settings.surface]["f"]
    w = torch.tensor([settings.x0, settings.y0], dtype=torch.float64, requires_grad=True)
    nag = OPTIMIZERS["nag"].build([w], lr=settings.lr, momentum=settings.gamma)

    def closure():
        nag.zero_grad()
        loss = f(w)
        loss.backward()
        return loss

    for _ in range(3):
        nag.step(closure)
    m = nag.state[w]["momentum_buffer"]
    ahead = w.detach() - settings.gamma * m
    for label, want in (
        ("w", w.detach()),
        ("m", m),
        ("w − γ·m, the next look-ahead", ahead),
    ):
        torch.testing.assert_close(
            torch.tensor(rows[label], dtype=torch.float64), want, rtol=1e-5, atol=1e-9
        )
    assert page.locator("#step-picture img").count() == 1


# ----------------------------------------------------------------- the model to take home
def test_the_downloaded_checkpoint_predicts_with_nnref_predict(site, tmp_path):
    page = open_page(site, "?epochs=30")
    page.locator("#train-button").click()
    wait_for_status(page, "done")
    link = page.locator("#train-downloads a[download='model.ckpt']")
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    checkpoint = tmp_path / "model.ckpt"
    download.value.save_as(checkpoint)
    with page.expect_download() as download:
        page.locator("#train-downloads a[download='history.csv']").click()
    download.value.save_as(tmp_path / "history.csv")
    history = (tmp_path / "history.csv").read_text().splitlines()
    assert history[0].startswith("epoch,") and len(history) == 1 + 31  # epochs 0 to 30

    out = tmp_path / "predicted.csv"
    # Fmt: skip.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nnref.predict",
            f"checkpoint={checkpoint}",
            f"input={ROOT / 'examples' / 'new_points.csv'}",
            f"output={out}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = out.read_text().splitlines()
    assert len(lines) > 1 and "p_" in lines[0]


# ----------------------------------------------------------------- several tabs and sessions
def test_two_tabs_each_see_their_own_run_and_stop_in_one_leaves_the_other(site):
    context = site.new_context()
    mine = open_page(site, "?epochs=500&batch=stochastic", context=context)
    theirs = open_page(site, "?epochs=500&batch=stochastic&seed=7", context=context)
    mine.locator("#train-button").click()
    theirs.locator("#train-button").click()
    wait_for_status(mine, "running")
    wait_for_status(theirs, "running")
    mine.locator("#stop-button").click()
    stopped = wait_for_status(mine, "stopped")
    epoch = int(re.search(r"stopped\*{0,2} at epoch (\d+)", stopped).group(1))
    before = int(re.search(r"epoch (\d+) of 500", wait_for_status(theirs, "running")).group(1))
    # the other run goes on: a later epoch comes
    theirs.wait_for_function(
        "(before) => { const m = (document.querySelector('#train-status')?.innerText || '')"
        ".match(/running.*epoch (\\d+) of 500/s); return m && Number(m[1]) > before }",
        arg=before,
    )
    assert epoch < 500 and "stopped" in mine.locator("#train-status").inner_text()
    assert "seed=7" in theirs.locator("#train-command").inner_text()
    assert "seed=7" not in mine.locator("#train-command").inner_text()
    theirs.locator("#stop-button").click()
    wait_for_status(theirs, "stopped")
    context.close()


def test_six_tabs_load_and_three_at_once_each_show_their_animation(site):
    context = site.new_context()
    pages = [open_page(site, f"?seed={i}", context=context, wait=False) for i in range(6)]
    for page in pages:
        page.wait_for_function(READY_JS, timeout=GUARD_MS)
    shown = [set() for _ in range(3)]
    for page, frames in zip(pages[:3], shown):
        # A frame shows once the browser has loaded it; an aborted one was replaced unseen.
        page.on(
            "requestfinished",
            lambda r, frames=frames: frames.add(r.url) if re.search(r"frame\d+\.", r.url) else None,
        )
    for page in pages[:3]:
        page.locator("#train-button").click()
    for page in pages[:3]:
        wait_for_status(page, "done")

    def too_few():
        pages[0].wait_for_timeout(100)  # Playwright delivers the page's events while it waits
        return [len(f) for f in shown if len(f) < 12]

    assert wait_until(too_few) == [], [len(f) for f in shown]
    context.close()


# ----------------------------------------------------------------- the page in Korean
def test_on_a_phone_a_korean_paragraph_wraps_between_words_never_inside_one(site):
    # A phone's width, so the introduction, the notes and the hints wrap over several lines.
    page = open_page(
        site, "?lang=ko", context=site.new_context(viewport={"width": 390, "height": 900})
    )
    paragraphs = page.locator("gradio-app p")
    breaks = paragraphs.evaluate_all(LINE_BREAKS_JS)
    assert len(breaks) >= 10, breaks  # the text did wrap
    assert words_split(breaks) == [], words_split(breaks)


def test_the_korean_page_names_a_bad_learning_rate_in_korean_and_keeps_its_language(site):
    page = open_page(site, "?lang=ko")
    errors = server_errors(page)
    wait_for_text(page, "#train-button", "학습")
    assert page.get_by_role("tab").all_inner_texts()[:2] == [
        "출력 레이어와 에러함수",
        "옵티마이저의 경로",
    ]
    assert "학습률 lr" in page.locator("#field-lr").inner_text()
    assert "준비됨" in page.locator("#train-status").inner_text()
    page.locator("#field-lr input").first.fill("-1")
    page.locator("#train-button").click()
    message = wait_for_text(page, "#field-lr", "범위를 벗어났습니다")
    # The field, named in Korean; the particle agrees with the value, the rule reads as Korean.
    assert "학습률 lr: -1은 범위를 벗어났습니다. 0보다 크고 10 이하인 수를 넣으세요" in message
    # the shareable link keeps the language; the command line stays as typed
    assert "lang=ko" in page.locator("#share-link textarea, #share-link input").first.input_value()
    page.locator("#field-lr input").first.fill("0.05")
    page.locator("#train-button").click()
    status = wait_for_status(page, "완료")
    assert re.search("[가-힣]", status) and not re.search(r"\btrain loss\b", status)
    assert "optim.lr=0.05" in page.locator("#train-command").inner_text()  # typed: not translated
    assert "이 실행을 다시 만드는 명령" in page.locator("#train-command").inner_text()
    assert not errors


def test_the_english_page_is_unchanged_and_the_switch_and_browser_language_pick_korean(site):
    url, _ = site
    english = open_page(site, context=site.new_context(locale="en-US"))
    assert english.get_by_role("tab").all_inner_texts()[:2] == [
        "Output layers and losses",
        "Optimizer paths",
    ]
    assert english.locator("#train-button").inner_text().strip() == "Train"
    english.locator("#field-lr input").first.fill("-1")
    english.locator("#train-button").click()
    assert "lr: -1 is out of range" in wait_for_text(english, "#field-lr", "out of range")
    # the switch on the page: the same page, now in Korean, and the link says so
    english.locator("#field-lang label", has_text="한국어").click()
    english.wait_for_url(re.compile(r"lang=ko"))
    english.wait_for_function(READY_JS, timeout=GUARD_MS)
    wait_for_text(english, "#train-button", "학습")
    # no ?lang=: a browser set to Korean gets the Korean page
    korean = open_page(site, context=site.new_context(locale="ko-KR"))
    wait_for_text(korean, "#train-button", "학습")
    assert "출력 레이어와 에러함수" in korean.get_by_role("tab").all_inner_texts()
