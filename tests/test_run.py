"""End to end: `classlab run --quick` on a small CIFAR-10 made here, and the files it leaves."""

import dataclasses
import io
import json
import re
import sys
from importlib import resources
from pathlib import Path

import pytest

from conftest import run_cli
from test_key import prediction_interval


def test_all_twelve_answers(quick_run):
    out, stdout, doc = quick_run
    assert list(doc["answers"]) == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8",
                                    "2.1", "2.2", "2.3", "2.4"]
    assert doc["quick"] is True
    assert "NOT THE ANSWERS" in stdout
    assert "NOT THE ANSWERS" in (out / "answers.md").read_text()
    assert "NOT THE ANSWERS" in (out / "report.html").read_text()


def test_display_is_value_rounded_as_asked(quick_run):
    doc = quick_run[2]
    for id, a in doc["answers"].items():
        if isinstance(a["value"], float) and a["digits"] is not None:
            assert a["display"] == f"{round(a['value'], a['digits']):.{a['digits']}f}", id
            assert re.fullmatch(rf"\d+\.\d{{{a['digits']}}}", a["display"]), id
    assert {doc["answers"][q]["digits"] for q in ("1.4", "1.6", "1.7")} == {2}
    assert {doc["answers"][q]["digits"] for q in ("2.1", "2.3")} == {3}


def test_answers_validate_against_the_documented_schema(quick_run):
    import jsonschema

    schema = json.loads(resources.files("classlab").joinpath("schema/answers.schema.json").read_text())
    jsonschema.validate(quick_run[2], schema)


def test_exact_answers(quick_run, cifar_arrays):
    from math import prod

    from test_models import CNN_SHAPES, DENSE_SHAPES

    doc = quick_run[2]
    (x, y), (xt, yt) = cifar_arrays
    assert doc["answers"]["1.1"]["value"] == len(y) / len(yt)
    assert doc["answers"]["1.2"]["value"] == [["airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
                                               "horse", "ship", "truck"][v] for v in y[:5]]
    assert doc["answers"]["1.3"]["value"] == sum(prod(s) for s in DENSE_SHAPES.values())
    assert doc["answers"]["1.5"]["value"] == sum(prod(s) for s in CNN_SHAPES.values())
    assert 0 < doc["answers"]["1.8"]["value"] <= len(y)
    assert sum(doc["answers"]["1.8"]["details"]["per_class"]) == doc["answers"]["1.8"]["value"]


def test_seeds_give_spread_and_ranges(quick_run):
    doc = quick_run[2]
    a = doc["answers"]["1.4"]
    assert [p["seed"] for p in a["per_seed"]] == [0, 1]
    assert a["spread"]["faithful"]["min"] == min(p["value"] for p in a["per_seed"])
    md = (quick_run[0] / "answers.md").read_text()
    assert "accepted range" in md and "prediction interval" in md and "rests on 2 seeds only" in md
    pinned = doc["answers"]["2.3"]
    assert pinned["seed_pinned"] and pinned["spread"]["faithful"]["pinned"]
    assert pinned["spread"]["faithful"]["low"] == pinned["spread"]["faithful"]["high"] == round(pinned["value"], 3)
    assert len({p["value"] for p in pinned["per_seed"]}) == 1


def _md_rows(md):
    """answers.md's answer table as {id: [cells]}."""
    rows = {}
    for line in md.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and re.fullmatch(r"\d\.\d", cells[0]):
            rows[cells[0]] = cells
    return rows


def test_answer_sheet_rows_follow_the_per_seed_values(quick_run):
    """Every row of answers.md: the first seed's value rounded as asked, the corrected one, and the range over
    seeds computed here from answers.json's per-seed values."""
    out, _, doc = quick_run
    rows = _md_rows((out / "answers.md").read_text())
    assert list(rows) == list(doc["answers"])
    for id, a in doc["answers"].items():
        _, question, answer, corrected, spread = rows[id]
        assert question == a["question"]
        assert answer.split(" ")[0] == a["display"].split(" ")[0]
        if a["per_seed"]:
            first = a["per_seed"][0]
            assert a["value"] == first["value"]
            if a["digits"] is not None:
                assert answer == f"{first['value']:.{a['digits']}f}"
                values = [p["value"] for p in a["per_seed"]]
                lo, hi = prediction_interval(values)
                lo, hi = max(min(lo, min(values)), 0), min(max(hi, max(values)), 1)  # accuracies, within [0, 1]
                lo, hi = f"{lo:.{a['digits']}f}", f"{hi:.{a['digits']}f}"
                if not a["seed_pinned"]:
                    accepted = lo if lo == hi else f"{lo}-{hi}"
                    assert spread.startswith(f"{accepted} (") and f"n={len(values)})" in spread, (id, spread)
            if "corrected" in first and first["corrected"] != first["value"]:
                shown = (f"{first['corrected']:.{a['digits']}f}" if a["digits"] is not None
                         else str(first["corrected"]))
                assert corrected == shown, id


def test_every_referenced_figure_exists(quick_run):
    out, _, doc = quick_run
    listed = set(doc["figures"])
    for a in doc["answers"].values():
        assert set(a["figures"]) <= listed
    for fig in listed:
        assert (out / fig).stat().st_size > 1000
        assert (out / fig).with_suffix(".svg").exists()
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == len(listed)
    assert "http://" not in html and "https://" not in html


def test_pitfalls_are_recorded(quick_run):
    ids = {p["id"] for p in quick_run[2]["pitfalls"]}
    assert {"test-augmentation-1.4", "test-augmentation-1.6", "svc-augmented-pixels", "plain-list-layers",
            "seed-in-init"} <= ids


def test_config_records_what_shaped_the_numbers(quick_run):
    cfg = quick_run[2]["config"]
    assert cfg["cifar10"]["checksum"].startswith("sha256:")
    assert cfg["settings"]["epochs"] == 1 and cfg["seeds"] == [0, 1]
    assert cfg["versions"]["torch"]


def test_second_run_into_same_out_is_refused(quick_run, tmp_path):
    out = quick_run[0]
    before = (out / "answers.json").read_bytes()
    code, _, err = run_cli("run", "--only", "2.1", "--out", out)
    assert code == 2 and "--force" in err
    assert (out / "answers.json").read_bytes() == before


def test_force_overwrites(tmp_path):
    out = tmp_path / "o"
    assert run_cli("run", "--only", "2.1", "--out", out)[0] == 0
    assert run_cli("run", "--only", "2.1", "--out", out)[0] == 2
    assert run_cli("run", "--only", "2.1", "--out", out, "--force")[0] == 0


def test_part2_only_never_looks_for_cifar(tmp_path):
    code, _, err = run_cli("run", "--only", "2.1", "--out", tmp_path / "o")
    assert code == 0, err
    assert "cifar10" not in json.loads((tmp_path / "o" / "answers.json").read_text())["config"]


@pytest.mark.parametrize("args,message", [
    (["--only", "1.9"], "unknown question"),
    (["--seeds", "0"], "--seeds"),
    (["--seed-list", "1,x"], "--seed-list"),
    (["--epochs", "0"], "--epochs"),
    (["--cifar", "/no/such/place", "--only", "1.1"], "/no/such/place: no such file or folder"),
])
def test_bad_options_exit_2(tmp_path, args, message):
    code, _, err = run_cli("run", *args, "--out", tmp_path / "o", "--data-dir", tmp_path / "d")
    assert code == 2 and message in err and err.count("\n") == 1


def test_unwritable_out_is_refused_before_work(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run_cli("run", "--only", "2.1", "--out", blocker / "sub")
    assert code == 2 and "cannot write" in err


def test_offline_without_cifar_is_one_line(tmp_path, monkeypatch):
    import urllib.error

    import torchvision.datasets.utils as tv_utils

    monkeypatch.setattr(tv_utils, "download_and_extract_archive",
                        lambda *a, **k: (_ for _ in ()).throw(urllib.error.URLError("offline")))
    code, _, err = run_cli("run", "--only", "1.1", "--out", tmp_path / "o", "--data-dir", tmp_path / "d")
    assert code == 2 and "--cifar" in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (Path(tmp_path) / "o" / "answers.json").exists()


def test_default_out_dir_never_reuses_a_folder(tmp_path):
    from classlab._runner import default_out_dir

    first = default_out_dir(tmp_path)
    first.mkdir()
    second = default_out_dir(tmp_path)
    assert second != first and not second.exists()


def test_torchvision_pipeline_runs(tmp_path, cifar_forms):
    """The problem set's per-image pipeline stays usable as the reference (--pipeline torchvision)."""
    code, _, err = run_cli("run", "--only", "1.4", "--cifar", cifar_forms["batches-folder"], "--data-dir",
                           tmp_path / "d", "--out", tmp_path / "o", "--epochs", "1", "--pipeline", "torchvision")
    assert code == 0, err
    doc = json.loads((tmp_path / "o" / "answers.json").read_text())
    assert doc["config"]["settings"]["pipeline"] == "torchvision"
    assert 0 <= doc["answers"]["1.4"]["value"] <= 1


def test_force_never_resumes_the_old_runs_checkpoints(tmp_path, cifar_forms):
    """--force starts afresh: a checkpoint the earlier run left must not be picked up."""
    base = ["run", "--only", "1.4", "--cifar", cifar_forms["batches-folder"], "--data-dir", tmp_path / "d"]
    assert run_cli(*base, "--out", tmp_path / "o", "--epochs", "1")[0] == 0
    (tmp_path / "o" / "keep.txt").write_text("the user's own file")
    assert run_cli(*base, "--out", tmp_path / "o", "--epochs", "2", "--batch-size", "20", "--force")[0] == 0
    assert run_cli(*base, "--out", tmp_path / "fresh", "--epochs", "2", "--batch-size", "20")[0] == 0
    forced = json.loads((tmp_path / "o" / "answers.json").read_text())["answers"]["1.4"]
    fresh = json.loads((tmp_path / "fresh" / "answers.json").read_text())["answers"]["1.4"]
    assert forced["value"] == fresh["value"] and forced["corrected"] == fresh["corrected"]
    assert (tmp_path / "o" / "keep.txt").exists()


def test_answers_logic_with_mixed_outcomes_over_seeds():
    """A width sweep that qualifies under one seed and not another still gets its spread."""
    from classlab._answers import seed_answer
    from classlab._questions import REGISTRY
    from classlab.settings import DEFAULT

    a = seed_answer(REGISTRY["2.4"], DEFAULT, [(0, 8, "none"), (1, 8, 16)], discrete=True)
    assert a.spread["corrected"]["counts"] == {"16": 1, "none": 1} and a.spread["faithful"]["accepted"] == "8"
    b = seed_answer(REGISTRY["1.4"], DEFAULT, [(0, 0.4649, 0.43), (1, 0.4751, 0.44)])
    lo, hi = prediction_interval([0.4649, 0.4751])
    assert b.display == "0.46" and b.spread["faithful"]["accepted"] == f"{max(lo, 0):.2f}-{min(hi, 1):.2f}"
    assert b.spread["corrected"]["mean"] == pytest.approx(0.435)


def test_progress_draws_only_for_a_terminal_or_a_jupyter_kernel(monkeypatch):
    """A notes-and-bar display for people; a captured stream gets none, even in a process that has run a
    notebook (and so imported ipykernel), as CI's does. A kernel's stream is ipykernel.iostream.OutStream."""
    import types

    from classlab._progress import Progress

    monkeypatch.setitem(sys.modules, "ipykernel", sys.modules.get("ipykernel") or types.ModuleType("ipykernel"))
    assert not Progress(io.StringIO()).tty
    kernel_stream = type("OutStream", (io.StringIO,), {"__module__": "ipykernel.iostream"})
    assert Progress(kernel_stream()).tty


def test_every_file_of_a_run_folder_is_named_by_its_owner(tmp_path):
    """RunFolder names what run and key write; --force clears all of it (the quiz too) and nothing else."""
    import classlab
    from classlab._folder import RunFolder

    out = tmp_path / "o"
    assert run_cli("run", "--only", "2.1,2.2", "--out", out)[0] == 0
    assert run_cli("key", out)[0] == 0
    names = {p.name for p in out.iterdir()}
    assert names == set(RunFolder.FILES) | set(RunFolder.FOLDERS) - {"checkpoints"}
    paths = classlab.load(out).paths
    assert list(paths) == list(RunFolder.SHOWN) and paths["quiz.xml"] == out / "quiz.xml"
    assert paths["figures"] and all(p.parent == out / "figures" for p in paths["figures"])

    (out / "notes.txt").write_text("the user's own file")
    code, stdout, err = run_cli("run", "--only", "2.1", "--out", out, "--force")
    assert code == 0, err
    assert not (out / "quiz.xml").exists() and not (out / "quiz.gift").exists()
    assert (out / "notes.txt").exists()
    assert stdout.splitlines()[-1] == f"Written to {out}: answers.json, answers.md, report.html"


def test_the_run_says_once_what_this_cpu_changes(tmp_path, cifar_forms, monkeypatch):
    """The SVC's integer product, named once at the start; and a warning where bf16 has no hardware here."""
    import classlab._cpu as cpu
    from classlab import svm
    from classlab._runner import BF16_WITHOUT_HARDWARE, machine_notes
    from classlab._units import CifarNet
    from classlab._units.cifar import CifarSVC
    from classlab.settings import DEFAULT

    code, _, err = run_cli("run", "--only", "1.7,1.8", "--quick", "--cifar", cifar_forms["image-archive"],
                           "--data-dir", tmp_path / "data", "--out", tmp_path / "o", "--seeds", "2")
    assert code == 0, err
    assert err.count(f"the SVC's exact pixel distances use the {svm.gram_path()} product") == 1
    monkeypatch.setattr(cpu, "flags", lambda: frozenset({"avx2"}))
    bf16 = dataclasses.replace(DEFAULT, precision="bf16", device="cpu")
    notes = machine_notes(bf16, [CifarNet("cnn", 0), CifarSVC(0)])
    assert notes == ["the SVC's exact pixel distances use the float32 product (this CPU has no int8 dot-product "
                     "instructions: VNNI or AMX)", BF16_WITHOUT_HARDWARE]
    assert machine_notes(dataclasses.replace(bf16, precision="fp32"), [CifarNet("cnn", 0)]) == []
    assert machine_notes(bf16, [CifarSVC(0)])[1:] == []  # bf16 only matters to the nets
    monkeypatch.setattr(cpu, "flags", lambda: frozenset({"avx512_bf16", "avx512_vnni"}))
    assert machine_notes(bf16, [CifarNet("cnn", 0)]) == []
