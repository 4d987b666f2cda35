"""The front door and the manual: the README's first screen says what to run, stays short and true; the manual
(docs/, Sphinx with MyST) builds with every warning an error, so that a broken link or anchor fails CI."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_the_manual_builds_without_a_warning(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", ROOT / "docs",
                           tmp_path / "site"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    index = (tmp_path / "site" / "index.html").read_text()
    pages = {p.stem for p in (ROOT / "docs").glob("*.md")}
    assert all((tmp_path / "site" / f"{page}.html").exists() for page in pages)  # every page, in the navigation
    assert (tmp_path / "site" / "searchindex.js").exists() and "search" in index
    assert "http://" not in index.replace("http://www.w3.org", "") or "https://" not in index  # nothing to fetch


def test_the_readme_is_short_and_its_first_screen_says_what_to_run():
    lines = README.splitlines()
    assert len(lines) < 200
    first = "\n".join(lines[:60])
    order = [first.index(s) for s in ("scripts/setup", "## For a student", "classlab check", "## For an instructor",
                                      "classlab grade")]
    assert order == sorted(order), order
    assert "source .venv/bin/activate" in first and ".venv/bin/classlab" in first
    steps = re.findall(r"^([1-5])\. ", README.split("## For an instructor", 1)[1].split("\n## ", 1)[0], re.M)
    assert steps == ["1", "2", "3", "4", "5"]


def test_the_readmes_links_to_the_manual_exist():
    for target in re.findall(r"\]\((docs/[^)#]+)", README):
        assert (ROOT / target).exists(), target
