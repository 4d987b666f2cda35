"""The precomputed-kernel SVC computes exactly what SVC(kernel='rbf') computes."""

import numpy as np
import pytest
from sklearn.svm import SVC

from classlab.svm import RBFSVC, gamma_scale, rbf_kernel


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(5, 40)) * 1.5
    y = rng.integers(0, 5, 600)
    X = (centers[y] + rng.normal(size=(600, 40))).astype(np.float32)
    return X[:400], y[:400], X[400:], y[400:]


def test_same_support_vectors_and_predictions(blobs):
    X, y, Xt, yt = blobs
    ref = SVC(kernel="rbf").fit(X, y)
    ours = RBFSVC(block=64).fit(X, y)
    assert np.array_equal(ours.support_, ref.support_)
    assert np.array_equal(ours.n_support_, ref.n_support_)
    assert np.array_equal(ours.predict(Xt), ref.predict(Xt))
    assert ours.score(Xt, yt) == ref.score(Xt, yt)
    np.testing.assert_allclose(ours.svc_.dual_coef_, ref.dual_coef_, rtol=1e-6, atol=1e-9)


def test_gamma_scale_is_sklearns(blobs):
    X = blobs[0]
    ref = SVC(kernel="rbf").fit(X, blobs[1])
    assert gamma_scale(X.astype(np.float64)) == pytest.approx(ref._gamma, rel=1e-12)


def test_kernel_blocks_agree_with_sklearn_rbf_kernel(blobs):
    from sklearn.metrics.pairwise import rbf_kernel as sk_rbf

    X, Xt = blobs[0].astype(np.float64), blobs[2].astype(np.float64)
    np.testing.assert_allclose(rbf_kernel(Xt, X, 0.01, block=37), sk_rbf(Xt, X, gamma=0.01), rtol=1e-10)


def test_preprocess_per_tile_equals_features_given_whole():
    """Inputs kept compact (uint8) and turned into features tile by tile give the same SVC."""
    rng = np.random.default_rng(4)
    pixels = rng.integers(0, 256, (300, 48), dtype=np.uint8)
    y = (pixels[:, :8].mean(1) > 127).astype(int) + (pixels[:, 8:16].mean(1) > 127)
    feats = lambda p: (p.astype(np.float32) / 255 - 0.5) / 0.25  # noqa: E731
    whole = RBFSVC(block=64).fit(feats(pixels[:200]), y[:200])
    tiled = RBFSVC(block=64, preprocess=feats).fit(pixels[:200], y[:200])
    assert np.array_equal(whole.support_, tiled.support_)
    assert np.array_equal(whole.predict(feats(pixels[200:])), tiled.predict(pixels[200:]))
    np.testing.assert_array_equal(whole.svc_.dual_coef_, tiled.svc_.dual_coef_)


# ----------------------------------------------------------------------------- a scikit-learn estimator
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

# scikit-learn's own SVC fails this check too: its per-sample weights scale C, which is not the same as
# repeating the samples (sklearn lists it among SVC's expected failures).
SAME_AS_SVC = {"check_sample_weight_equivalence_on_dense_data":
               "as SVC: sample weights rescale C, which is not equivalent to repeated samples"}


@parametrize_with_checks([RBFSVC()], expected_failed_checks=lambda estimator: SAME_AS_SVC)
def test_scikit_learns_estimator_checks(estimator, check):
    check(estimator)


def test_svc_fails_the_same_check():
    """The expected failure above is SVC's own, not one of ours."""
    from sklearn.utils.estimator_checks import check_estimator

    failed = {r["check_name"] for r in check_estimator(SVC(), on_fail=None) if r["status"] == "failed"}
    assert set(SAME_AS_SVC) <= failed


def test_drops_into_a_pipeline_and_cross_validation(blobs):
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y, _, _ = blobs
    ours = cross_val_score(make_pipeline(StandardScaler(), RBFSVC()), X, y, cv=3)
    ref = cross_val_score(make_pipeline(StandardScaler(), SVC(kernel="rbf")), X, y, cv=3)
    assert np.array_equal(ours, ref)


@pytest.mark.parametrize("params", [{}, {"C": 3.0, "gamma": "auto"}, {"gamma": 0.01, "class_weight": "balanced"},
                                    {"decision_function_shape": "ovo"}])
def test_same_model_as_svc_for_its_parameters(blobs, params):
    X, y, Xt, _ = blobs
    ref = SVC(kernel="rbf", **params).fit(X, y)
    ours = RBFSVC(**params, block=50).fit(X, y)
    assert np.array_equal(ours.support_, ref.support_)
    assert np.array_equal(ours.predict(Xt), ref.predict(Xt))
    np.testing.assert_allclose(ours.decision_function(Xt), ref.decision_function(Xt), rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(ours.support_vectors_, ref.support_vectors_)


def test_symmetric_kernel_is_sklearns_and_exactly_symmetric(blobs):
    from sklearn.metrics.pairwise import rbf_kernel as sk_rbf

    X = blobs[0].astype(np.float64)
    K = rbf_kernel(X, None, 0.01, block=37)
    np.testing.assert_allclose(K, sk_rbf(X, X, gamma=0.01), rtol=1e-10)
    assert np.array_equal(K, K.T)


def test_documented_example_runs():
    import doctest

    import classlab.svm

    assert doctest.testmod(classlab.svm, raise_on_error=True).attempted >= 2
