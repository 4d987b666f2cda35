"""The problem set as a notebook: committed without outputs, the same as its generator writes it, and executed
here with a real Jupyter kernel (nbclient + ipykernel) on the real CIFAR-10 copy with quick settings."""

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "problem_set_10.ipynb"
sys.path.insert(0, str(ROOT / "notebooks"))
from test_real_data import COPY  # noqa: E402


def test_committed_without_outputs_and_as_generated():
    import make_notebook
    import nbformat

    nb = json.loads(NOTEBOOK.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert nbformat.reads(NOTEBOOK.read_text(), as_version=4) == make_notebook.build()
    assert "parameters" in code[0]["metadata"]["tags"]


@pytest.mark.slow
@pytest.mark.skipif(not COPY.exists() and not os.environ.get("CLASSLAB_REQUIRE_REAL_DATA"),
                    reason=f"no real CIFAR-10 copy at {COPY}")
def test_notebook_runs_green_with_a_real_kernel(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("CLASSLAB_NOTEBOOK_QUICK", "1")
    monkeypatch.setenv("CLASSLAB_NOTEBOOK_CIFAR", str(COPY))
    monkeypatch.setenv("CLASSLAB_NOTEBOOK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CLASSLAB_NOTEBOOK_OUT", str(tmp_path / "out"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "<table" in html and "QUICK RUN" in html  # the answer table, with its banner
    assert html.count("data:image/png;base64,") >= 8  # the answers' figures, inline
    assert "same support vectors: True" in "".join(o.get("text", "") for o in outputs)
    assert (tmp_path / "out" / "answers.json").exists()
