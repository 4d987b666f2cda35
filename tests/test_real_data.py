"""A short end-to-end run on the real CIFAR-10 copy in ../shared/data (JPEG re-encoded).

1 epoch on the first 10,000 training images, a 2,000-point SVC: the answers must be sane
(well above the 0.1 of chance) and the parameter counts exact. Skipped where the copy is
absent, unless CLASSLAB_REQUIRE_REAL_DATA is set (as in CI).
"""

import json
import os
from pathlib import Path

import pytest

from conftest import run_cli

COPY = Path(os.environ.get("CLASSLAB_REAL_CIFAR",
                           Path(__file__).resolve().parents[2] / "shared" / "data" / "cifar10-jpeg.tar.gz"))

pytestmark = pytest.mark.skipif(not COPY.exists() and not os.environ.get("CLASSLAB_REQUIRE_REAL_DATA"),
                                reason=f"no real CIFAR-10 copy at {COPY}")


def test_short_run_on_the_real_copy(tmp_path):
    from classlab.models import CNN, Dense, count_parameters

    out = tmp_path / "out"
    code, stdout, err = run_cli("run", "--cifar", COPY, "--data-dir", tmp_path / "data", "--out", out,
                                "--only", "1.1,1.2,1.3,1.4,1.5,1.6,1.7,1.8", "--epochs", "1",
                                "--train-subset", "10000", "--test-subset", "2000", "--svc-train-points", "2000")
    assert code == 0, err
    answers = json.loads((out / "answers.json").read_text())["answers"]
    assert answers["1.1"]["value"] == 5.0
    assert answers["1.1"]["details"] == {"train_size": 50000, "test_size": 10000}
    assert answers["1.3"]["value"] == count_parameters(Dense())
    assert answers["1.5"]["value"] == count_parameters(CNN())
    for q in ("1.4", "1.6", "1.7"):
        assert answers[q]["value"] > 0.2 and answers[q]["corrected"]["value"] > 0.2, q
    assert 500 < answers["1.8"]["value"] <= 2000
