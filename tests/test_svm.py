"""The precomputed-kernel SVC computes exactly what SVC(kernel='rbf') computes."""

import numpy as np
import pytest
import torch
from sklearn.svm import SVC

from classlab.svm import RBFSVC, PixelFeatures, gamma_scale, rbf_kernel


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


# ----------------------------------------------------------------------------- uint8 images, exact distances
MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)


def _images(n, size=8, seed=5):
    """Images whose classes differ in colour and brightness, with every pixel value (0 and 255) present."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    base = np.array([[60, 120, 200], [200, 90, 40], [120, 200, 120]])[y][:, :, None, None]
    x = np.clip(base + rng.normal(0, 70, (n, 3, size, size)), 0, 255).astype(np.uint8)
    x[0], x[1], x[2], x[3] = 0, 255, 1, 1
    x[3, 0, 0, 0] = 2  # with x[2]: 1599 products 127 * 127 and one 127 * 126, an odd sum above 2^24 at size 40
    return x, y


def _flat(x):
    from classlab.data.augment import normalize

    return normalize(torch.from_numpy(x)).reshape(len(x), -1).numpy()


def test_pixel_features_are_the_normalized_pixels_bitwise():
    x, _ = _images(50)
    assert np.array_equal(PixelFeatures(MEAN, STD)(x), _flat(x))
    assert np.array_equal(PixelFeatures(MEAN, STD)(torch.from_numpy(x)), _flat(x))


@pytest.mark.parametrize("product", ["int8", "float32", "int8 fails"])
@pytest.mark.parametrize("size", [8, 40])  # 40 x 40 = 1600 pixels per channel: the float32 path sums in two parts
def test_pixel_distances_are_exact(monkeypatch, product, size):
    """The squared distances equal exact integer arithmetic, with either integer product forced (on any machine),
    and with the int8 one failing."""
    from classlab import svm

    path = "int8" if product == "int8 fails" else product
    monkeypatch.setattr(svm, "_chosen_path", lambda: path)
    if product == "int8 fails":
        monkeypatch.setattr(torch, "_int_mm", lambda a, b: (_ for _ in ()).throw(RuntimeError("no int8 mm")))
    x, _ = _images(60, size)
    features = PixelFeatures(MEAN, STD)
    a, b = features.tile(x[:25]), features.tile(x)
    out = np.empty((25, 60))
    features.distances(a, b, out)
    p = x.reshape(60, 3, -1).astype(np.int64)
    diff2 = ((p[:25, None] - p[None]) ** 2).sum(-1)  # (25, 60, 3): exact integer sums per channel
    weights = 1.0 / (255.0 * np.asarray(STD)) ** 2
    np.testing.assert_allclose(out, diff2 @ weights, rtol=1e-14, atol=1e-9)
    exact = p[:25, 0] @ p[:, 0].T - 128 * (p[:25, 0].sum(1)[:, None] + p[:, 0].sum(1)[None]) + 128 ** 2 * size ** 2
    assert np.array_equal(svm._integer_gram(a[0][0], b[0][0]).numpy().astype(np.int64), exact)


def test_both_integer_products_give_the_same_gram_bit_for_bit():
    """int8 (int32 accumulation) and float32 (exact in blocks of 1024) on int8 extremes and a CIFAR image's depth."""
    from classlab import svm

    rng = np.random.default_rng(0)
    a = rng.integers(-128, 128, (70, 3072), dtype=np.int8)
    b = rng.integers(-128, 128, (50, 3072), dtype=np.int8)
    a[0], b[0], a[1], b[1] = -128, -128, 127, -128  # the largest sums either way: 3072 * 2^14
    exact = a.astype(np.int64) @ b.astype(np.int64).T
    by_int8 = svm._integer_gram(a, b, "int8").numpy().astype(np.int64)
    by_float32 = svm._integer_gram(a, b, "float32").numpy().astype(np.int64)
    assert np.array_equal(by_int8, exact) and np.array_equal(by_float32, exact)


@pytest.mark.parametrize("flags,mkldnn,capped,expected", [
    ({"avx2", "avx512f", "avx512_vnni"}, True, None, "int8"),  # AVX-512 VNNI (Zen 4, Zen 5, Intel since Cascade Lake)
    ({"avx2", "avx_vnni"}, True, None, "int8"),  # AVX-VNNI (Intel client chips since Alder Lake)
    ({"avx2", "amx_int8", "amx_tile"}, True, None, "int8"),  # AMX
    ({"avx2", "fma"}, True, None, "float32"),  # Zen 3 and every AMD CPU before Zen 4: no int8 dot products
    ({"avx2", "avx512f"}, True, None, "float32"),  # AVX-512 without VNNI (Skylake-SP)
    ({"avx512_vnni"}, False, None, "float32"),  # no oneDNN: torch's int8 product would be a plain loop
    ({"avx512_vnni"}, True, "AVX2", "float32"),  # oneDNN capped below VNNI (a laptop's stand-in)
    (set(), True, None, "float32"),  # flags unknown (not Linux): the path that is exact and fast everywhere
])
def test_the_integer_product_follows_the_cpus_instruction_set(monkeypatch, flags, mkldnn, capped, expected):
    from classlab import svm

    monkeypatch.setattr(torch.backends.mkldnn, "is_available", lambda: mkldnn)
    if capped:
        monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", capped)
    else:
        monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)
    assert svm.gram_path(flags) == expected


def test_the_cpus_flags_are_read_from_cpuinfo(monkeypatch, tmp_path):
    from classlab import _cpu

    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 1\n"
                    "model name\t: AMD EPYC 7B13\nflags\t\t: fpu sse avx2 fma\n\nprocessor\t: 1\nflags\t\t: fpu\n")
    monkeypatch.setattr(_cpu, "Path", lambda _: info)
    _cpu.cpu.cache_clear()
    try:
        assert _cpu.cpu() == {"model_name": "AMD EPYC 7B13", "vendor": "AuthenticAMD", "family": 25, "model": 1,
                              "flags": frozenset({"fpu", "sse", "avx2", "fma"})}
        assert not _cpu.has_int8_dot() and not _cpu.has_bf16()
        assert _cpu.has_int8_dot({"avx512_vnni"}) and _cpu.has_bf16({"avx512_bf16"}) and _cpu.has_bf16({"amx_bf16"})
    finally:
        _cpu.cpu.cache_clear()


def test_pixel_kernel_is_the_float_kernel_and_symmetric():
    from sklearn.metrics.pairwise import rbf_kernel as sk_rbf

    x, _ = _images(150)
    K = rbf_kernel(x, None, 0.002, block=64, rows=PixelFeatures(MEAN, STD))
    flat = _flat(x).astype(np.float64)
    np.testing.assert_allclose(K, sk_rbf(flat, flat, gamma=0.002), rtol=1e-6)
    assert np.array_equal(K, K.T) and K.max() <= 1.0
    np.testing.assert_allclose(rbf_kernel(x[:20], x, 0.002, block=64, rows=PixelFeatures(MEAN, STD)), K[:20],
                               rtol=1e-13)


def test_pixel_svc_is_svc_on_the_normalized_pixels():
    x, y = _images(400)
    ref = SVC(kernel="rbf").fit(_flat(x[:300]), y[:300])
    ours = RBFSVC(block=64, preprocess=PixelFeatures(MEAN, STD)).fit(x[:300], y[:300])
    assert ours.gamma_ == pytest.approx(ref._gamma, rel=1e-12)
    assert np.array_equal(ours.support_, ref.support_)
    assert np.array_equal(ours.predict(x[300:]), ref.predict(_flat(x[300:])))
    np.testing.assert_allclose(ours.decision_function(x[300:]), ref.decision_function(_flat(x[300:])), rtol=1e-5,
                               atol=1e-7)


def test_pixel_features_refuse_anything_but_uint8_images():
    with pytest.raises(ValueError, match="uint8 images"):
        PixelFeatures(MEAN, STD).tile(np.zeros((2, 3, 4, 4), dtype=np.float32))
    with pytest.raises(ValueError, match="uint8 images"):
        PixelFeatures(MEAN, STD).tile(np.zeros((2, 4, 4), dtype=np.uint8))
    with pytest.raises(ValueError, match="uint8 images"):  # four channels where the normalization has three
        PixelFeatures(MEAN, STD).tile(np.zeros((2, 4, 4, 4), dtype=np.uint8))


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
