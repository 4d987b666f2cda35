"""The SVC: ``SVC(kernel='rbf')`` on the normalized pixels against classlab's ``RBFSVC`` as its runs use it (on the
uint8 images, ``PixelFeatures``): fit and predict time, same support vectors, same predictions? On ``svc_n``
training points (the problem set's 10,000) and, for the issue's check on every CPU, on 3,000 training and 3,000
test images with each of the exact integer products forced (int8 and float32) beside the one chosen. And the
problem set's own SVC on its augmented arrays, for the coverage check."""

import numpy as np

import seed_code
from classlab import RBFSVC, PixelFeatures, normalize, svm
from classlab.data.augment import MEAN, STD

from .common import log, timed


def _pair(train_x, train_y, test_x, path=None):
    """(sklearn's fitted SVC and predictions, seconds), (classlab's, seconds) on the same images."""
    from sklearn.svm import SVC

    flat = normalize(train_x).reshape(len(train_x), -1).numpy()
    flat_test = normalize(test_x).reshape(len(test_x), -1).numpy()
    ref, ref_s = timed(lambda: (lambda m: (m, m.predict(flat_test)))(SVC(kernel="rbf").fit(flat, train_y)))
    ours, ours_s = _classlab(train_x, train_y, test_x, path)
    return ref, ref_s, ours, ours_s


def _classlab(train_x, train_y, test_x, path=None):
    chosen = svm._chosen_path
    if path is not None:  # force a path, as the tests do
        svm._chosen_path = lambda: path
    try:
        svc = RBFSVC(preprocess=PixelFeatures(MEAN, STD))
        return timed(lambda: (lambda m: (m, m.predict(test_x)))(svc.fit(train_x, train_y)))
    finally:
        svm._chosen_path = chosen


def _same(ref, ours):
    return {"same_support_vectors": bool(np.array_equal(ref[0].support_, ours[0].support_)),
            "same_predictions": bool(np.array_equal(ref[1], ours[1]))}


def measure(b):
    n, data = b.svc_n, b.data
    (X, y, Xt, yt), arrays_s = timed(seed_code.svc_arrays, data, n)
    yc = data.train_y[:n].numpy()
    ref, ref_s, ours, ours_s = _pair(data.train_x[:n], yc, data.test_x)
    own = __import__("sklearn.svm", fromlist=["SVC"]).SVC(kernel="rbf").fit(X, y)  # the problem set's 1.7/1.8, seed 0
    res = {"points": n, "seed_arrays_s": arrays_s, "gram": svm.gram_path(),
           "fit_predict_s": {"seed": ref_s, "classlab": ours_s, "speedup": ref_s / ours_s}, **_same(ref, ours),
           "n_support": int(ours[0].n_support_.sum()), "accuracy": float((ours[1] == yt).mean()),
           "seed_code_faithful": {"seed": 0, "accuracy": float(own.score(Xt, yt)),
                                  "n_support": int(own.n_support_.sum())}}
    m = 500 if b.smoke else 3000
    train_x, train_y, test_x = data.train_x[:m], data.train_y[:m].numpy(), data.test_x[:m]
    ref, ref_s, ours, ours_s = _pair(train_x, train_y, test_x)
    paths = {}
    for path in svm.GRAM_PATHS:
        forced, forced_s = _classlab(train_x, train_y, test_x, path)
        paths[path] = {"fit_predict_s": forced_s, "speedup": ref_s / forced_s, **_same(ref, forced)}
    res["small"] = {"train": m, "test": len(test_x), "sklearn_s": ref_s, "classlab_s": ours_s,
                    "speedup": ref_s / ours_s, **_same(ref, ours), "paths": paths}
    log(f"svc: {res}")
    return res
