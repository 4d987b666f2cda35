"""Each setting declared once: its flag, its check, whether it shapes an answer, --config files, the record in
answers.json and run.json, and the README's table, all derived from the declaration."""

import dataclasses
import json
import re
from pathlib import Path

import pytest

from classlab.errors import ClasslabError
from classlab.settings import DEFAULT, QUICK, SETTINGS, Settings, differences, make, markdown_table, read_config
from conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
# The settings that change no answer (no banner when changed): how evaluation is batched, the learning
# curves, the report's snapshots, where it runs, the quick switch (its own banner), and the extra net on
# which the plain-list pitfall is measured.
NO_ANSWER = {"eval_batch_size", "learning_curves", "snapshot_epochs", "device", "quick", "pitfall_n_hidden",
             "pitfall_width"}


def test_every_field_is_a_flag_named_after_it():
    from classlab._cli import build_parser

    run = next(a for a in build_parser()._subparsers._group_actions[0].choices.items() if a[0] == "run")[1]
    flags = {option for action in run._actions for option in action.option_strings}
    for field in dataclasses.fields(Settings):
        assert "--" + field.name.replace("_", "-") in flags, field.name
        assert SETTINGS[field.name].flag == "--" + field.name.replace("_", "-")


def test_help_shows_every_setting_with_its_default():
    import contextlib
    import io

    from classlab._cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main(["run", "--help"])
    text = " ".join(out.getvalue().split())
    for s in SETTINGS.values():
        assert s.flag in text, s.name
    assert "--widths N,N,... hidden widths of the sweep of 2.4 (default: 2,4,8,16,32,64)" in text
    assert "--learning-curves, --no-learning-curves" in text


def test_which_settings_shape_an_answer():
    assert {name for name, s in SETTINGS.items() if not s.shapes_answer} == NO_ANSWER


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_a_changed_setting_is_named_in_the_banner_unless_it_shapes_no_answer(name):
    s = SETTINGS[name]
    other = {bool: lambda v: not v, int: lambda v: (v or 1) + 1, float: lambda v: v / 2,
             str: lambda v: next(c for c in s.choices if c != v)}[s.type]
    value = tuple(v + 1 for v in s.default) if s.is_list else other(s.default)
    changed = dataclasses.replace(DEFAULT, **{name: value}).to_dict()
    assert (name in differences(changed)) == (name not in NO_ANSWER)


# ----------------------------------------------------------------------------- values: good and bad


@pytest.mark.parametrize("name,text,value", [
    ("epochs", "3", 3), ("lr", "0.01", 0.01), ("lr", "1e-2", 0.01), ("train_subset", "500", 500),
    ("widths", "2,4,8", (2, 4, 8)), ("widths", " 2, 16 ", (2, 16)), ("dense_hidden_sizes", "128", (128,)),
    ("learning_curves", "false", False), ("learning_curves", "True", True), ("pipeline", "torchvision", "torchvision"),
    ("split_test_size", "0.25", 0.25), ("split_random_state", "0", 0), ("target_accuracy", "1", 1.0),
])
def test_good_values_as_text(name, text, value):
    assert getattr(make({name: text}), name) == value


@pytest.mark.parametrize("name,value", [
    ("epochs", 3), ("lr", 0.01), ("lr", 1), ("widths", [2, 4]), ("widths", (2, 4)), ("learning_curves", False),
    ("train_subset", None), ("precision", "bf16"),
])
def test_good_typed_values(name, value):
    expected = tuple(value) if isinstance(value, list) else value
    if value is None:
        expected = DEFAULT.train_subset
    assert getattr(make({name: value}), name) == expected


@pytest.mark.parametrize("args,message", [
    (["--epochs", "0"], "--epochs: must be at least 1, got 0"),
    (["--epochs", "ten"], "--epochs: expected an integer, got 'ten'"),
    (["--epochs", "2.5"], "--epochs: expected an integer, got '2.5'"),
    (["--lr", "0"], "--lr: must be more than 0, got 0"),
    (["--lr", "fast"], "--lr: expected a number, got 'fast'"),
    (["--lr", "nan"], "--lr: expected a finite number, got nan"),
    (["--points-lr", "inf"], "--points-lr: expected a finite number, got inf"),
    (["--widths", "4,2"], "--widths: give distinct values in increasing order, got 4,2"),
    (["--widths", "2,2"], "--widths: give distinct values in increasing order"),
    (["--widths", ","], "--widths: give at least one value"),
    (["--widths", "2,x"], "--widths: expected a list of integers, got '2,x'"),
    (["--widths", "0,2"], "--widths: 0 must be at least 1"),
    (["--dense-hidden-sizes", "0"], "--dense-hidden-sizes: 0 must be at least 1"),
    (["--target-accuracy", "1.5"], "--target-accuracy: must be at most 1, got 1.5"),
    (["--target-accuracy", "0"], "--target-accuracy: must be more than 0, got 0"),
    (["--split-test-size", "1"], "--split-test-size: must be less than 1, got 1"),
    (["--split-random-state", "-1"], "--split-random-state: must be at least 0, got -1"),
    (["--pitfall-n-hidden", "1"], "--pitfall-n-hidden: must be at least 2, got 1"),
    (["--train-subset", "0"], "--train-subset: must be at least 1, got 0"),
    (["--snapshot-epochs", "5,1"], "--snapshot-epochs: give distinct values in increasing order"),
    (["--pipeline", "numpy"], "--pipeline: expected one of tensor, torchvision, got 'numpy'"),
    (["--precision", "fp16"], "--precision: expected one of fp32, bf16, got 'fp16'"),
])
def test_bad_values_are_one_line_naming_the_flag(tmp_path, args, message):
    code, _, err = run_cli("run", "--only", "2.1", *args, "--out", tmp_path / "o")
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("name,value,message", [
    ("epochs", "3", "expected an integer, got the text '3'"),
    ("epochs", 2.5, "expected an integer, got the number 2.5"),
    ("epochs", True, "expected an integer, got the boolean true"),
    ("lr", "0.01", "expected a number, got the text '0.01'"),
    ("lr", True, "expected a number, got the boolean true"),  # a bool is an int in Python, never a number here
    ("widths", 4, "expected a list of integers, got the integer 4"),
    ("widths", [2, "4"], "expected a list of integers, got the list [2, '4']"),
    ("learning_curves", 1, "expected true or false, got the integer 1"),
    ("pipeline", "fast", "expected one of tensor, torchvision, got 'fast'"),
    ("split_test_size", {"a": 1}, "expected a number, got a table"),
    ("widths", (2, "4"), "expected a list of integers, got the list [2, '4']"),
    ("widths", ["x"] * 30, "expected a list of integers, got the list ['x', 'x', 'x', "),
    ("learning_curves", "on", "expected true or false, got the text 'on'"),
])
def test_typed_values_are_strict(name, value, message):
    with pytest.raises(ClasslabError, match=re.escape(f"where: {message}")):
        SETTINGS[name].value(value, "where", strict=True)


def test_long_values_are_shortened_in_messages():
    with pytest.raises(ClasslabError) as err:
        SETTINGS["widths"].value(["x"] * 30, "where", strict=True)
    assert str(err.value).endswith("...") and len(str(err.value)) < 120


def test_text_for_a_boolean_is_true_or_false():
    assert make({"learning_curves": "FALSE"}).learning_curves is False
    with pytest.raises(ClasslabError, match="--learning-curves: expected true or false, got 'yes'"):
        make({"learning_curves": "yes"})


def test_checks_describe_themselves():
    from classlab._setting import Check

    assert str(Check(minimum=1)) == ">= 1" and str(Check(above=0, below=1)) == "> 0, < 1"
    assert str(Check(maximum=1)) == "<= 1" and str(Check(minimum=1, increasing=True)) == ">= 1, increasing"
    assert str(Check()) == "" and Check().problem(5) is None


def test_python_api_takes_typed_values_and_text_alike():
    assert make({"widths": (2, 4), "points_lr": 0.01}) == make({"widths": "2,4", "points_lr": "0.01"})
    with pytest.raises(ClasslabError, match="unknown setting 'widht' \\(did you mean widths\\?\\)"):
        make({"widht": (2, 4)})
    with pytest.raises(ClasslabError) as err:
        make({"zzz": 1})
    assert str(err.value) == f"unknown setting 'zzz'; the settings are {', '.join(SETTINGS)}"


def test_quick_is_the_base_and_flags_still_win():
    assert make({"quick": True}) == QUICK
    assert make({"quick": True, "epochs": 3}).epochs == 3 and make({"quick": True, "epochs": 3}).train_subset == 2000
    assert make({}) == DEFAULT and make({"quick": False}) == DEFAULT


# ----------------------------------------------------------------------------- config files


def test_config_file_values(tmp_path):
    path = tmp_path / "ps10-2027.toml"
    text = "# next year's variant\nwidths = [3, 6, 12]\ntarget_accuracy = 0.95\npoints_lr = 0.01\nlearning_curves = false\n"
    path.write_text(text)
    values, record = read_config(path)
    assert values == {"widths": (3, 6, 12), "target_accuracy": 0.95, "points_lr": 0.01, "learning_curves": False}
    assert record == {"path": str(path), "content": text}


@pytest.mark.parametrize("content,message", [
    ("epoch = 3\n", "unknown setting 'epoch' (did you mean epochs?)"),
    ('epochs = "3"\n', "epochs: expected an integer, got the text '3'"),
    ("epochs = 0\n", "epochs: must be at least 1, got 0"),
    ("widths = [4, 2]\n", "widths: give distinct values in increasing order"),
    ("[part2]\nwidths = [2]\n", "unknown setting 'part2'"),
    ("epochs = \n", "not valid TOML"),
    ("pipeline = 'gpu'\n", "pipeline: expected one of tensor, torchvision, got 'gpu'"),
    ("epochs = 1979-05-27\n", "epochs: expected an integer, got date datetime.date(1979, 5, 27)"),
    ("lr = true\n", "lr: expected a number, got the boolean true"),
])
def test_bad_config_files_are_one_line_naming_file_and_key(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    code, _, err = run_cli("run", "--only", "2.1", "--config", path, "--out", tmp_path / "o")
    assert code == 2 and err.startswith(f"classlab: error: {path}: ") and message in err, err
    assert err.count("\n") == 1 and not (tmp_path / "o").exists()


def test_unreadable_config_files(tmp_path):
    from classlab.settings import CONFIG_MAX_BYTES

    (tmp_path / "just.toml").write_bytes(b"#" * (CONFIG_MAX_BYTES - 11) + b"\nepochs = 3")
    assert read_config(tmp_path / "just.toml")[0] == {"epochs": 3}  # as large as a settings file may be
    (tmp_path / "big.toml").write_bytes(b"#" * (CONFIG_MAX_BYTES + 1))
    (tmp_path / "file").write_text("x")
    (tmp_path / "binary.toml").write_bytes(b"\xff\xfe\x00epochs")
    for name, message in (("missing.toml", "no such file"), ("big.toml", "far larger than a settings file"),
                          ("binary.toml", "not UTF-8 text"), (".", "is a folder"),
                          ("file/c.toml", "cannot read it (Not a directory)")):
        code, _, err = run_cli("run", "--only", "2.1", "--config", tmp_path / name, "--out", tmp_path / "o")
        assert code == 2 and message in err and err.count("\n") == 1, err


# ----------------------------------------------------------------------------- one run, three ways

VARIANT = ["--widths", "2,4", "--target-accuracy", "0.9", "--points-lr", "0.01", "--points-epochs", "5"]


@pytest.fixture(scope="module")
def variant_by_flags(tmp_path_factory):
    out = tmp_path_factory.mktemp("flags") / "run"
    code, stdout, err = run_cli("run", "--only", "2.3,2.4", *VARIANT, "--out", out)
    assert code == 0, err
    return out, stdout, json.loads((out / "answers.json").read_text())


def _computed(doc):
    return {id: {k: a[k] for k in ("value", "corrected", "per_seed", "spread", "details")}
            for id, a in doc["answers"].items()}, doc["pitfalls"]


def test_flags_and_config_file_give_the_same_answers(variant_by_flags, tmp_path):
    _, _, by_flags = variant_by_flags
    config = tmp_path / "variant.toml"
    config.write_text("widths = [2, 4]\ntarget_accuracy = 0.9\npoints_lr = 0.01\npoints_epochs = 5\n")
    code, stdout, err = run_cli("run", "--only", "2.3,2.4", "--config", config, "--out", tmp_path / "o")
    assert code == 0, err
    by_file = json.loads((tmp_path / "o" / "answers.json").read_text())
    assert _computed(by_file) == _computed(by_flags)
    assert by_file["config"]["settings"] == by_flags["config"]["settings"]
    assert by_file["config"]["config_file"] == {"path": str(config), "content": config.read_text()}
    assert "config_file" not in by_flags["config"]


def test_a_variant_is_recorded_and_named_in_the_banner(variant_by_flags):
    out, stdout, doc = variant_by_flags
    settings = doc["config"]["settings"]
    assert (settings["widths"], settings["target_accuracy"], settings["points_lr"], settings["points_epochs"]) == \
        ([2, 4], 0.9, 0.01, 5)
    assert set(settings) == set(SETTINGS)  # one name everywhere: the keys are the fields (and the flags)
    flat = " ".join(stdout.replace("!", " ").split())
    for named in ("--widths 2,4 (problem set: 2,4,8,16,32,64)", "--target-accuracy 0.9 (problem set: 0.99)",
                  "--points-lr 0.01 (problem set: 0.001)", "--points-epochs 5 (problem set: 100)"):
        assert named in flat
        for name in ("answers.md", "report.html"):
            assert named in " ".join((out / name).read_text().split()), name
    assert doc["answers"]["2.4"]["details"]["table"]["widths"] == [2, 4]
    assert doc["answers"]["2.4"]["question"] == "Smallest hidden width with test accuracy >= 0.9"


def test_flags_win_over_the_config_file(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("points_epochs = 50\nwidths = [2, 4]\n")
    code, _, err = run_cli("run", "--only", "2.3", "--config", config, "--points-epochs", "3", "--out", tmp_path / "o")
    assert code == 0, err
    settings = json.loads((tmp_path / "o" / "answers.json").read_text())["config"]["settings"]
    assert settings["points_epochs"] == 3 and settings["widths"] == [2, 4]


def test_settings_survive_run_json_and_resume(variant_by_flags, tmp_path):
    """A variant stopped part-way resumes with its own settings, to the same answers."""
    import shutil

    out, _, doc = variant_by_flags
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    spec = json.loads((copy / "run.json").read_text())
    assert spec["settings"] == doc["config"]["settings"]
    (copy / "answers.json").unlink()
    next((copy / "units").glob("points-corrected-h1-w4-*.json")).unlink()
    code, _, err = run_cli("run", "--resume", copy)
    assert code == 0, err
    resumed = json.loads((copy / "answers.json").read_text())
    assert _computed(resumed) == _computed(doc) and resumed["config"]["settings"] == doc["config"]["settings"]


def test_run_json_with_a_bad_setting_is_one_line(tmp_path):
    (tmp_path / "run.json").write_text(json.dumps({"settings": {"epochs": -1}, "questions": ["2.1"], "seeds": [0]}))
    code, _, err = run_cli("run", "--resume", tmp_path)
    assert code == 2 and "run.json: settings: epochs: must be at least 1, got -1" in err and err.count("\n") == 1


def test_from_dict_checks_and_fills_in():
    assert Settings.from_dict({}) == DEFAULT  # an older run.json: the defaults
    with pytest.raises(ClasslabError, match="here: unknown setting 'svc_points'"):
        Settings.from_dict({"svc_points": 10}, "here")
    with pytest.raises(ClasslabError, match="here: widths: expected a list of integers"):
        Settings.from_dict({"widths": "2,4"}, "here")


# ----------------------------------------------------------------------------- the dense net's hidden sizes


def test_dense_hidden_sizes_shape_the_net_of_13(tmp_path):
    """The problem set invites other sizes and layers: 1.3 counts the net the run was asked for."""
    code, _, err = run_cli("run", "--only", "1.3", "--dense-hidden-sizes", "128,32,16", "--out", tmp_path / "o")
    assert code == 0, err
    answer = json.loads((tmp_path / "o" / "answers.json").read_text())["answers"]["1.3"]
    sizes = [3072, 128, 32, 16, 10]
    assert answer["value"] == sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    assert [r["name"] for r in answer["details"]["layers"]["rows"]] == ["fc1", "fc2", "fc3", "fc4"]
    assert answer["question"] == "How many parameters does the dense model (3072-128-32-16-10) have?"


def test_the_listings_hidden_sizes_are_the_default():
    """1.3's listing: hidden_sizes = [256, 64], kept in models.py as the listing writes it."""
    from classlab import models

    assert models.hidden_sizes == [256, 64] and DEFAULT.dense_hidden_sizes == tuple(models.hidden_sizes)


# ----------------------------------------------------------------------------- documentation


def test_the_manuals_table_of_settings_is_the_declarations():
    assert markdown_table() in (ROOT / "docs" / "options.md").read_text()


def test_run_docstring_lists_every_setting():
    import classlab

    for name in SETTINGS:
        assert f"``{name}``" in classlab.run.__doc__
