"""Part 2 data and answers: the embedded pair, user pairs, bad input, and the answers' logic."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from classlab.data.points import X_NAME, Y_NAME, embedded_paths, load_points, make_points, write_points
from classlab.errors import DataError
from classlab._questions.part2 import smallest_width
from classlab.settings import DEFAULT
from classlab._context import Context, Inputs
from classlab._units import PointsLogReg, PointsNet
from conftest import run_cli


def test_embedded_pair_is_what_the_generator_makes(tmp_path):
    x_path, y_path = write_points(tmp_path)
    emb_x, emb_y = embedded_paths()
    assert x_path.read_bytes() == emb_x.read_bytes()
    assert y_path.read_bytes() == emb_y.read_bytes()
    assert (x_path.name, y_path.name) == (X_NAME, Y_NAME)


def test_embedded_pair_shape():
    pts = load_points()
    assert pts.X.shape == (1000, 2) and set(pts.y.tolist()) == {0, 1}
    assert pts.source == "embedded"


def _save(tmp_path, X, y):
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    return tmp_path / "X.npy", tmp_path / "y.npy"


def test_logreg_answer_equals_sklearn_directly(tmp_path):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(300, 2))
    y = (X[:, 0] + 0.3 * rng.normal(size=300) > 0).astype(int)
    xp, yp = _save(tmp_path, X, y)
    ctx = Context(DEFAULT, Inputs(points_x=xp, points_y=yp))
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.5, random_state=42)
    expected = LogisticRegression().fit(Xtr, ytr).score(Xte, yte)
    assert PointsLogReg().run(ctx)["accuracy"] == expected


def test_linearly_separable_data_gives_logreg_1(tmp_path):
    rng = np.random.default_rng(1)
    y = np.arange(200) % 2
    X = rng.normal(size=(200, 2)) * 0.3 + np.where(y == 1, 3.0, -3.0)[:, None]
    xp, yp = _save(tmp_path, X, y)
    code, out, err = run_cli("run", "--only", "2.1", "--points-x", xp, "--points-y", yp, "--out", tmp_path / "o")
    assert code == 0, err
    import json

    answer = json.loads((tmp_path / "o" / "answers.json").read_text())["answers"]["2.1"]
    assert answer["value"] == 1.0 and answer["display"] == "1.000"


def test_smallest_width_logic():
    widths = [2, 4, 8, 16]
    assert smallest_width(widths, [0.5, 0.98, 0.99, 1.0], 0.99) == 8
    assert smallest_width(widths, [0.995, 0.5, 0.5, 0.5], 0.99) == 2
    assert smallest_width(widths, [0.5, 0.6, 0.7, 0.989], 0.99) == "none"


def test_faithful_plain_list_leaves_middle_layers_untrained():
    ctx = Context(DEFAULT)
    faithful = PointsNet("faithful", 3, 8, 42).run(ctx)
    corrected = PointsNet("corrected", 3, 8, 0).run(ctx)
    assert faithful["middle_layers_unchanged"] == [True, True]
    assert faithful["middle_layers_in_state_dict"] == [False, False]
    assert corrected["middle_layers_unchanged"] == [False, False]
    assert corrected["middle_layers_in_state_dict"] == [True, True]


def test_faithful_ignores_the_run_seed():
    ctx = Context(DEFAULT.__class__(points_epochs=5))
    a = PointsNet("faithful", 1, 4, 0).run(ctx)
    b = PointsNet("faithful", 1, 4, 1).run(ctx)
    assert a["weights"] == b["weights"]
    c = PointsNet("corrected", 1, 4, 0).run(ctx)
    d = PointsNet("corrected", 1, 4, 1).run(ctx)
    assert c["weights"] != d["weights"]


def test_the_embedded_data_makes_informative_answers():
    """The generator's promise, checked under the faithful protocol with the real settings."""
    ctx = Context(DEFAULT)
    assert PointsLogReg().run(ctx)["accuracy"] <= 0.75
    accs = {w: PointsNet("faithful", 1, w, 42).run(ctx)["accuracy"] for w in DEFAULT.widths}
    assert accs[2] < 0.99
    assert any(accs[w] >= 0.99 for w in DEFAULT.widths if w >= 4)


def test_more_features_and_classes_work_without_figures(tmp_path):
    rng = np.random.default_rng(2)
    y = np.arange(240) % 3
    X = rng.normal(size=(240, 3)) + y[:, None] * 2.0
    xp, yp = _save(tmp_path, X, y)
    code, out, err = run_cli("run", "--only", "2.1,2.2,2.3,2.4", "--points-x", xp, "--points-y", yp,
                             "--points-epochs", "3", "--out", tmp_path / "o")
    assert code == 0, err
    import json

    doc = json.loads((tmp_path / "o" / "answers.json").read_text())
    assert "needs exactly 2" in " ".join(doc["answers"]["2.2"]["notes"])
    assert doc["answers"]["2.2"]["figures"] == []
    assert doc["config"]["points"] == {"source": f"{xp} + {yp}", "n": 240, "features": 3, "classes": 3}


def test_labels_may_be_bools(tmp_path):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2))
    xp, yp = _save(tmp_path, X, X[:, 0] > 0)
    assert load_points(xp, yp).n_classes == 2


BAD = {
    "3-d X": (np.zeros((10, 2, 2)), np.arange(10) % 2, "X", "must be 2-dimensional"),
    "1-d X": (np.zeros(10), np.arange(10) % 2, "X", "must be 2-dimensional"),
    "lengths": (np.zeros((10, 2)), np.arange(9) % 2, "y", "9 labels but X has 10 rows"),
    "nan": (np.array([[np.nan, 0]] + [[0, 1]] * 9), np.arange(10) % 2, "X", "NaN or infinite"),
    "inf": (np.array([[np.inf, 0]] + [[0, 1]] * 9), np.arange(10) % 2, "X", "NaN or infinite"),
    "float labels": (np.zeros((10, 2)), np.linspace(0, 1, 10), "y", "must be integers"),
    "string labels": (np.zeros((10, 2)), np.array(list("ababababab")), "y", "must be integers"),
    "one class": (np.zeros((10, 2)), np.zeros(10, int), "y", "at least 2 classes"),
    "empty": (np.zeros((0, 2)), np.zeros(0, int), "X", "empty"),
    "2-d y": (np.zeros((10, 2)), np.zeros((10, 2), int), "y", "must be 1-dimensional"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_points_exit_2_with_one_line(tmp_path, case):
    X, y, which, message = BAD[case]
    xp, yp = _save(tmp_path, X, y)
    code, out, err = run_cli("run", "--only", "2.1", "--points-x", xp, "--points-y", yp, "--out", tmp_path / "o")
    assert code == 2
    line = err.strip()
    assert "\n" not in line and message in line and str(xp if which == "X" else yp) in line
    assert not (tmp_path / "o" / "answers.json").exists()


def _write(path, data):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("content,message", [
    (b"", "is empty"),
    (b"1,2\n3,4\n", "not a .npy file"),
    (b"\x93NUMPY\x01\x00garbage", "not a readable .npy file"),
])
def test_files_that_are_not_npy(tmp_path, content, message):
    bad = _write(tmp_path / "X.npy", content)
    np.save(tmp_path / "y.npy", np.arange(10) % 2)
    with pytest.raises(DataError, match=message):
        load_points(bad, tmp_path / "y.npy")


def test_pickled_npy_is_refused_not_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    class Evil:
        def __reduce__(self):
            import os

            return (os.system, ("echo pwned > pwned.txt",))

    np.save(tmp_path / "X.npy", np.array([Evil()] * 4, dtype=object), allow_pickle=True)
    np.save(tmp_path / "y.npy", np.arange(4) % 2)
    code, out, err = run_cli("run", "--only", "2.1", "--points-x", tmp_path / "X.npy", "--points-y",
                             tmp_path / "y.npy", "--out", tmp_path / "o")
    assert code == 2 and "pickled" in err
    assert not (tmp_path / "pwned.txt").exists()


def test_only_one_of_the_pair(tmp_path):
    np.save(tmp_path / "X.npy", np.zeros((10, 2)))
    code, out, err = run_cli("run", "--only", "2.1", "--points-x", tmp_path / "X.npy", "--out", tmp_path / "o")
    assert code == 2 and "both --points-x and --points-y" in err


def test_generator_is_deterministic():
    a, b = make_points(), make_points()
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_rebuilt_model_for_figures_is_the_trained_one():
    """The boundary figures redraw the nets from saved weights: they must predict as trained."""
    from classlab._predictors import SavedDeepClassifier

    ctx = Context(DEFAULT.__class__(points_epochs=10))
    X, y = ctx.points.X, ctx.points.y
    for unit in (PointsNet("faithful", 1, 4, 42), PointsNet("corrected", 3, 8, 0)):
        result = unit.run(ctx)
        _, X_test, _, y_test, _ = ctx.points_split
        clf = SavedDeepClassifier(result).fit(X, y)
        assert float((clf.predict(X_test) == y_test).mean()) == result["accuracy"]


def test_rebuilt_logistic_regression_predicts_as_the_fitted_one():
    """The logistic regression of 2.2's figure, from the saved coefficients, is sklearn's own prediction."""
    from sklearn.linear_model import LogisticRegression

    from classlab._predictors import SavedLinearClassifier
    from classlab._units import PointsLogReg

    ctx = Context(DEFAULT)
    X_train, X_test, y_train, _, _ = ctx.points_split
    result = PointsLogReg().run(ctx)
    fitted = LogisticRegression().fit(X_train, y_train)
    rebuilt = SavedLinearClassifier(result["coef"], result["intercept"]).fit(ctx.points.X, ctx.points.y)
    grid = np.random.default_rng(0).uniform(-3, 3, (2000, 2))
    assert np.array_equal(rebuilt.predict(grid), fitted.predict(grid))
    assert np.array_equal(rebuilt.predict(X_test), fitted.predict(X_test))


def test_rebuilt_classifiers_follow_scikit_learns_rules():
    """Parameters stored untouched in __init__; fitted attributes (ending in _) set in fit only."""
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError

    from classlab._predictors import SavedDeepClassifier, SavedLinearClassifier

    for clf in (SavedLinearClassifier([[1.0, -1.0]], [0.5]),
                SavedDeepClassifier({"n_hidden": 1, "hidden_dim": 1, "weights": {"first": [1.0, 0.0, 0.0],
                                                                              "last": [1.0, -1.0, 0.0, 0.0]}})):
        assert not [k for k in vars(clf) if k.endswith("_")]
        assert clone(clf).get_params() == clf.get_params()
        with pytest.raises(NotFittedError):
            clf.predict(np.zeros((1, 2)))
        clf.fit(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1]))
        assert list(clf.classes_) == [0, 1] and clf.n_features_in_ == 2
