"""report.html opened in a real browser (Debian's chromium, driven by Playwright).

Skipped where /usr/bin/chromium is missing, unless CLASSLAB_REQUIRE_BROWSER is set (as in CI).
The screenshot is kept in test-artifacts/ as the test's artefact.
"""

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


def test_quick_report_in_chromium(tmp_path, cifar_forms):
    from playwright.sync_api import sync_playwright

    out = tmp_path / "out"
    code, _, err = run_cli("run", "--quick", "--cifar", cifar_forms["batches-archive"], "--data-dir",
                           tmp_path / "data", "--out", out)
    assert code == 0, err
    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: errors.append(f"network request {r.url}")
                    if not r.url.startswith(("file:", "data:")) else None)
            page.goto((out / "report.html").as_uri())
            page.wait_for_load_state("load")
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
        finally:
            browser.close()
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
