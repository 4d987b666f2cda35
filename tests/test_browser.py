"""report.html opened in a real browser (Debian's chromium, driven by Playwright).

Skipped where /usr/bin/chromium is missing, unless CLASSLAB_REQUIRE_BROWSER is set (as in CI).
The screenshot is kept in test-artifacts/ as the test's artefact.
"""

import contextlib
import os
import shutil
from pathlib import Path

import pytest

from conftest import run_cli

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync", "--disable-quic"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CLASSLAB_REQUIRE_BROWSER"),
                                reason="Debian's chromium is not installed")


@contextlib.contextmanager
def chromium(tmp_path):
    """Debian's chromium, headless, driven by Playwright, with a profile of the test's own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, url, errors):
    """``url`` in a new page; console errors, page errors and any request off the disk go into ``errors``."""
    page = browser.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: errors.append(f"network request {r.url}")
            if not r.url.startswith(("file:", "data:")) else None)
    page.goto(url)
    page.wait_for_load_state("load")
    return page


OVERFLOW = """() => { const w = document.documentElement.clientWidth, out = [];
    for (const e of document.querySelectorAll('body *')) { const r = e.getBoundingClientRect();
        if (r.right > w + 0.5 || r.left < -0.5) out.push(`${e.tagName}#${e.id} ${Math.round(r.left)}-${Math.round(r.right)}`); }
    return {width: w, scroll: document.documentElement.scrollWidth, wider: out.slice(0, 8)}; }"""
WIDTHS = (1280, 1920)


def fits(browser, url, width):
    """Whether every element of the page at ``url`` lies within a ``width``-pixel window (nothing runs off it)."""
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(url)
    page.wait_for_load_state("load")
    found = page.evaluate(OVERFLOW)
    return page, found


def test_quick_report_in_chromium(tmp_path, cifar_forms):
    out = tmp_path / "out"
    code, _, err = run_cli("run", "--quick", "--cifar", cifar_forms["batches-archive"], "--data-dir",
                           tmp_path / "data", "--out", out)
    assert code == 0, err
    errors = []
    with chromium(tmp_path) as browser:
        page = open_page(browser, (out / "report.html").as_uri(), errors)
        images = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.complete, i.naturalWidth])")
        rows = page.eval_on_selector_all("#answers tbody tr", "rows => rows.length")
        warning = page.inner_text("#quick-warning")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-quick.png"), full_page=True)
        # The part 2 playground: moving a slider redraws the boundaries and changes the numbers.
        state = ("() => [0, 1].map(i => [document.getElementById('explorer-canvas-' + i).toDataURL(), "
                 "document.getElementById('explorer-caption-' + i).textContent])")
        before = page.evaluate(state)
        page.eval_on_selector("#explorer-width", "e => { e.value = 3; e.dispatchEvent(new Event('input')); }")
        after_width = page.evaluate(state)
        page.eval_on_selector("#explorer-epoch", "e => { e.value = 0; e.dispatchEvent(new Event('input')); }")
        after_epoch = page.evaluate(state)
        page.locator("#explorer").screenshot(path=str(ARTIFACTS / "report-explorer.png"))
        # The page's own forward pass predicts what torch measured, for every net and snapshot.
        measured = page.evaluate("""() => {
            const out = [], data = JSON.parse(document.getElementById('explorer-data').textContent);
            for (const name of classlabExplorer.names)
              for (let w = 0; w < data.widths.length; w++)
                for (let e = 0; e < data.runs[name][w].length; e++) out.push(classlabExplorer.accuracy(name, w, e));
            return out; }""")
    assert images and all(complete and width > 0 for complete, width in images), images
    assert rows == 12
    assert "NOT THE ANSWERS" in warning
    for i in range(2):
        assert before[i][0] != after_width[i][0] and before[i][1] != after_width[i][1], i
        assert after_width[i][0] != after_epoch[i][0] and after_width[i][1] != after_epoch[i][1], i
    assert "width 2" in before[0][1] and "width 16" in after_width[0][1] and "epoch 1," in after_epoch[0][1]
    assert len(measured) >= 2 * 6 * 2
    assert all(abs(page_accuracy - torch_accuracy) <= 1 / 500 for page_accuracy, torch_accuracy in measured), measured
    assert errors == []
    with chromium(tmp_path) as browser:
        for width in WIDTHS:
            page, found = fits(browser, (out / "report.html").as_uri(), width)
            assert found["scroll"] <= found["width"] and found["wider"] == [], (width, found)
            page.close()


def test_the_class_page_of_every_real_download_fits_the_screen(tmp_path):
    """The class page of each real download (tests/moodle/class-en, with its Grades download beside it) at 1280 and
    1920 pixels: no element is wider than the window, every column has a heading, the strip plots' axes show plain
    numbers. The 1280-pixel view of the German-headed one is the README's screenshot (test-artifacts/)."""
    import re
    import shutil as sh

    from test_moodle import CLASS, MOODLE, RESPONSES

    key = tmp_path / "key"
    key.mkdir()
    sh.copy(MOODLE / "key" / "answers.json", key)
    assert run_cli("key", key, "--corrected-credit", "50")[0] == 0
    with chromium(tmp_path) as browser:
        for path in RESPONSES:
            ui = "de" if "-ui-de" in path.name else "en"
            out = tmp_path / path.name
            code, _, err = run_cli("grade", "--key", key, path, CLASS / f"grades-ui-{ui}.csv", "--out", out)
            assert code == 0, err
            for width in WIDTHS:
                page, found = fits(browser, (out / "class.html").as_uri(), width)
                assert found["scroll"] <= found["width"] and found["wider"] == [], (path.name, width, found)
                if width == 1280:
                    empty = page.eval_on_selector_all("th", "ths => ths.filter(t => !t.textContent.trim()).length")
                    ticks = page.eval_on_selector_all("svg text.tick", "ts => ts.map(t => t.textContent)")
                    assert empty == 0 and ticks, path.name
                    assert all(re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", t) for t in ticks), ticks  # no 1e5, no offset
                    if path.name == "responses-ui-de.csv":
                        ARTIFACTS.mkdir(exist_ok=True)
                        page.screenshot(path=str(ARTIFACTS / "class-page-1280.png"))
                page.close()


def test_class_page_in_chromium(tmp_path, part2_keyed):
    """class.html of a graded class with hostile names: it renders, its figures are embedded, nothing is loaded or
    run; with --anonymize the rendered page shows no name or e-mail of the export."""
    from classlab._key import build_key
    from test_grade import FORMULA, HOSTILE, moodle_csv

    key, doc = part2_keyed
    right = {id: doc["answers"][id]["display"] for id in ("2.1", "2.3", "2.4")}
    students = [("Schmidt", "Anna", "anna.schmidt@uni.example", "Finished", right),
                (HOSTILE, FORMULA, "mallory@uni.example", "Finished", {"2.1": "0,5", "2.3": "0.3"}),
                ("Weber", "Jonas", "jonas.weber@uni.example", "Finished", {"2.1": "47%", "2.4": "16"})]
    export = moodle_csv(tmp_path / "responses.csv", build_key(doc, key), students)
    seen = {}
    with chromium(tmp_path) as browser:
        for name, extra in (("plain", []), ("anonymized", ["--anonymize"])):
            out = tmp_path / name
            code, _, err = run_cli("grade", "--key", key, export, "--out", out, *extra)
            assert code == 0, err
            errors = []
            page = open_page(browser, (out / "class.html").as_uri(), errors)
            images = page.eval_on_selector_all("figure svg", "svgs => svgs.map(s => [s.getBoundingClientRect().width > "
                                                "100, s.querySelectorAll('circle').length])")
            seen[name] = {"images": images, "errors": errors, "text": page.inner_text("body"),
                          "pwned": page.evaluate("() => window.__pwned === undefined ? null : window.__pwned"),
                          "students": page.eval_on_selector_all("#students tbody tr", "rows => rows.length"),
                          "mistakes": page.inner_text("#mistakes")}
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"class-page-{name}.png"), full_page=True)
            page.close()
    for name, s in seen.items():
        assert len(s["images"]) == 3 and all(shown and dots for shown, dots in s["images"]), name
        assert s["errors"] == [] and s["pwned"] is None and s["students"] == 3, (name, s["errors"])
        assert "seed-in-init" in s["mistakes"] and "2.3 (1)" in s["mistakes"], s["mistakes"]
    assert HOSTILE in seen["plain"]["text"] and FORMULA in seen["plain"]["text"]  # shown as text, never run
    for _, _, email, _, _ in students:
        assert email in seen["plain"]["text"] and email not in seen["anonymized"]["text"]
    for secret in ("Schmidt", "Anna", "Weber", "Jonas", "mallory", "HYPERLINK", "script"):
        assert secret not in seen["anonymized"]["text"], secret
    assert "Student 1" in seen["anonymized"]["text"]
