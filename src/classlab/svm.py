"""``SVC(kernel='rbf')``, computed faster and to the same result, as a scikit-learn estimator.

libsvm evaluates the RBF kernel one pair at a time (and caches only 200 MB of it). ``RBFSVC``
computes the whole Gram matrix ``exp(-gamma * |x - y|^2)`` once with BLAS in float64, in blocks,
with scikit-learn's own ``gamma='scale'`` (``1 / (n_features * X.var())``), and hands it to the very
same libsvm solver as ``SVC(kernel='precomputed')``. Same solver, same kernel values up to float
rounding, hence the same support vectors and predictions: ``tests/test_svm.py`` checks that against
``SVC(kernel='rbf')`` and scikit-learn's own estimator checks, and the benchmark does on the real data.

    >>> from sklearn.datasets import make_classification
    >>> from classlab.svm import RBFSVC
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> RBFSVC().fit(X, y).score(X, y) > 0.9
    True

It drops into a Pipeline or ``cross_val_score`` wherever ``SVC(kernel='rbf')`` goes. For images,
``PixelFeatures`` keeps them uint8 and computes the distances between their normalized pixels from
the integers, exactly (an int8 or a float32 matrix product, whichever the CPU does faster): on CIFAR-10,
fit and predict twice as fast again.
"""

import functools
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.svm import SVC
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from . import _cpu


def gamma_scale(X):
    """scikit-learn's ``gamma='scale'``, computed in float64 as it does."""
    var = X.var(dtype=np.float64)
    return 1.0 / (X.shape[1] * var) if var != 0 else 1.0


class Rows:
    """Feature rows and their squared distances in float64: the default metric of ``rbf_kernel``.

    ``rows`` turns a slice of inputs into feature rows (default: the inputs are the rows).
    """

    compact_tiles = False  # a tile is a float64 copy of its rows: made afresh when needed, never all kept

    def __init__(self, rows=np.asarray):
        self.rows = rows

    def __call__(self, X):
        return np.asarray(self.rows(X))

    def tile(self, X):
        """A slice of inputs, ready for ``distances``: float64 rows and their squared norms."""
        a = np.asarray(self(X), dtype=np.float64)
        return a, np.einsum("ij,ij->i", a, a)

    def distances(self, a, b, out):
        """``out[i, j] = |a_i - b_j|^2`` for two tiles."""
        (a, a2), (b, b2) = a, b
        np.matmul(a, b.T, out=out)
        out *= -2.0
        out += a2[:, None]
        out += b2[None, :]
        np.maximum(out, 0.0, out=out)


class PixelFeatures(Rows):
    """uint8 images (N, C, H, W) as features ``(p / 255 - mean_c) / std_c``, flattened (classlab's
    ``normalize``: torchvision's ToTensor + Normalize).

    As the ``preprocess`` of ``RBFSVC`` it computes the squared distances from the integer pixels,
    exactly: ``|x - y|^2 = sum_c (255 std_c)^-2 * sum_(pixels of channel c) (p - q)^2``, the mean
    cancelling. The integer sums come from an int8 matrix product of ``p - 128`` with int32
    accumulation (``torch._int_mm``, on CPUs with int8 dot-product instructions), or else a float32 one
    over at most 1024 pixels at a time, whose partial sums stay within 2^24 and so are exact as well: both
    give the same integers (``gram_path`` chooses, by the CPU's instruction set). The kernel then differs from float64 arithmetic on the float32 features only by
    those features' own rounding (about 1e-7 relative), and libsvm finds the same support vectors.
    """

    compact_tiles = True  # int8, the size of the images themselves
    EXACT_FLOAT32_DEPTH = 1024  # 1024 * 128^2 = 2^24: sums of this many products of int8 values are exact

    def __init__(self, mean, std):
        self.mean, self.std = tuple(mean), tuple(std)

    def __call__(self, X):
        import torch

        from .data.augment import normalize

        return normalize(torch.as_tensor(X), self.mean, self.std).reshape(len(X), -1).cpu().numpy()

    def tile(self, X):
        """Per channel, the images' pixels minus 128 as int8 rows, (C, N, H*W), and their squared norms (C, N)."""
        x = _numpy(X)
        if x.dtype != np.uint8 or x.ndim != 4 or x.shape[1] != len(self.std):
            raise ValueError(f"PixelFeatures takes uint8 images (N, {len(self.std)}, H, W), not {x.dtype} {x.shape}")
        # p ^ 0x80 read as int8 is p - 128.
        centered = np.ascontiguousarray((x.reshape(len(x), x.shape[1], -1) ^ np.uint8(0x80)).view(np.int8)
                                        .transpose(1, 0, 2))
        as_float = centered.astype(np.float64)
        return centered, np.einsum("cnk,cnk->cn", as_float, as_float)

    def distances(self, a, b, out):
        import torch

        (a, a2), (b, b2) = a, b
        weights = 1.0 / (255.0 * np.asarray(self.std, dtype=np.float64)) ** 2
        d = torch.from_numpy(out)
        d.copy_(torch.from_numpy(weights @ a2)[:, None] + torch.from_numpy(weights @ b2)[None, :])
        for c, w in enumerate(weights):
            d.add_(_integer_gram(a[c], b[c]), alpha=-2.0 * w)
        d.clamp_(min=0.0)


def _numpy(X):
    return X.cpu().numpy() if hasattr(X, "cpu") else np.asarray(X)


GRAM_PATHS = ("int8", "float32")


def gram_path(cpu_flags=None):
    """The exact integer product this CPU does fastest: "int8" (``torch._int_mm``, int32 accumulation) where the CPU
    has int8 dot-product instructions (VNNI, AMX) and torch runs the product through oneDNN; else "float32" (exact
    in blocks of 1024 pixels). Chosen by the instruction set, not by what is built in: without dot-product
    instructions torch's int8 product is a slow loop (on AMD Zen 3 the SVC's fit and predict took 16x as long)."""
    import os

    import torch

    capped = os.environ.get("ONEDNN_MAX_CPU_ISA", "").upper() in ("SSE41", "AVX", "AVX2")  # no VNNI for oneDNN
    if _cpu.has_int8_dot(cpu_flags) and not capped and torch.backends.mkldnn.is_available() and \
            hasattr(torch, "_int_mm"):
        return "int8"
    return "float32"


def _integer_gram(a, b, path=None):
    """``a @ b.T`` for int8 matrices, exactly: a torch tensor of int32 (or of whole float64 values)."""
    import torch

    if (path or _chosen_path()) == "int8":
        try:
            return torch._int_mm(torch.from_numpy(a), torch.from_numpy(b).T)
        except (AttributeError, RuntimeError, NotImplementedError):  # no int8 product after all
            pass
    return _integer_gram_float32(a, b)


@functools.cache
def _chosen_path():
    return gram_path()


def _integer_gram_float32(a, b):
    """The float32 product: exact in blocks of 1024 columns (a CIFAR-10 channel is one block, returned as float32
    whole numbers); more blocks are summed in float64."""
    import torch

    depth = PixelFeatures.EXACT_FLOAT32_DEPTH
    out = None
    for k in range(0, a.shape[1], depth):
        # torch's own matmul, not numpy's: two BLAS thread pools taking turns cost more than either one's speed
        part = torch.mm(torch.from_numpy(a[:, k:k + depth]).float(), torch.from_numpy(b[:, k:k + depth]).float().T)
        out = part if out is None else out.double().add_(part)
    return out


def _as_metric(rows):
    """``rows`` as a ``Rows``: itself if it is one, else the float64 metric over ``rows(X)`` (None: X itself)."""
    return rows if isinstance(rows, Rows) else Rows(np.asarray if rows is None else rows)


class _Tiles:
    """The tiles of X, made afresh on each pass (kept after the first where they are compact)."""

    def __init__(self, X, block, metric):
        self.X, self.block, self.metric = X, block, metric
        self.kept = None

    def __iter__(self):
        if self.kept is not None:
            return iter(self.kept)
        tiles = ((s, self.metric.tile(self.X[s:s + self.block])) for s in range(0, len(self.X), self.block))
        if self.metric.compact_tiles:
            self.kept = list(tiles)
            return iter(self.kept)
        return tiles


def rbf_kernel(A, B=None, gamma=1.0, block=2048, rows=np.asarray):
    """``exp(-gamma * |a - b|^2)`` for all rows a of A and b of B (``B=None``: of A itself), in float64.

    ``rows`` turns a slice of rows into features (default: as they are), or is a ``Rows`` (such as
    ``PixelFeatures``) that also computes the squared distances. Rows become features a tile at a
    time, so memory holds the result and two float64 tiles, never float64 copies of A and B (and,
    with ``rows``, not even float copies). Without B the matrix is symmetric: each tile below the
    diagonal is the transpose of one above it, computed once.
    """
    metric = _as_metric(rows)
    tiles_b = _Tiles(A if B is None else B, block, metric)
    tiles_a = tiles_b if B is None else _Tiles(A, block, metric)
    return _kernel(tiles_a, tiles_b, len(A), len(A) if B is None else len(B), gamma, block, metric, B is None)


def _kernel(tiles_a, tiles_b, n_a, n_b, gamma, block, metric, symmetric):
    import torch

    K = np.empty((n_a, n_b), dtype=np.float64)
    for s, a in tiles_a:
        n = min(block, n_a - s)
        for t, b in tiles_b:
            if symmetric and t < s:
                continue
            m = min(block, n_b - t)
            k = K[s:s + n, t:t + m]
            metric.distances(a, b, k)
            torch.from_numpy(k).mul_(-gamma).exp_()  # torch's vectorized exp: several times numpy's on AVX2
            if symmetric and t > s:
                K[t:t + m, s:s + n] = k.T
            elif symmetric:  # a tile on the diagonal: the arithmetic need not round (i, j) and (j, i) alike
                lower = np.tril_indices(len(k), -1)
                k[lower] = k.T[lower]
    return K


class RBFSVC(ClassifierMixin, BaseEstimator):
    """``SVC(kernel='rbf')`` through a precomputed Gram matrix: the same model, fitted faster.

    Parameters are ``SVC``'s (with the same defaults) for the RBF kernel, plus:

    block : int, default=1024
        Rows per tile of the Gram matrix (memory against BLAS efficiency; no effect on the result).
    preprocess : callable, default=None
        Turns a slice of ``X`` into feature rows, tile by tile, so that ``X`` can stay in a compact
        form (classlab keeps CIFAR-10 as uint8 images and normalizes them here). ``X`` is then taken
        as it is: the callable is responsible for its rows.

    Attributes follow ``SVC``: ``classes_``, ``support_``, ``support_vectors_``, ``n_support_``,
    ``dual_coef_``, ``intercept_``, ``n_features_in_``, plus ``gamma_`` (the gamma used).
    """

    _parameter_constraints = {
        "C": [Interval(Real, 0.0, None, closed="neither")],
        "gamma": [StrOptions({"scale", "auto"}), Interval(Real, 0.0, None, closed="neither")],
        "tol": [Interval(Real, 0.0, None, closed="neither")],
        "shrinking": ["boolean"],
        "cache_size": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "max_iter": [Interval(Integral, -1, None, closed="left")],
        "decision_function_shape": [StrOptions({"ovr", "ovo"})],
        "break_ties": ["boolean"],
        "block": [Interval(Integral, 1, None, closed="left")],
        "preprocess": [callable, None],
    }

    def __init__(self, *, C=1.0, gamma="scale", tol=1e-3, shrinking=True, cache_size=32, class_weight=None,
                 max_iter=-1, decision_function_shape="ovr", break_ties=False, block=1024, preprocess=None):
        # libsvm's row cache only saves kernel evaluations, and here each one is a lookup in the
        # precomputed matrix: a small cache costs no time and changes no result.
        self.C, self.gamma, self.tol, self.shrinking, self.cache_size = C, gamma, tol, shrinking, cache_size
        self.class_weight, self.max_iter = class_weight, max_iter
        self.decision_function_shape, self.break_ties = decision_function_shape, break_ties
        self.block, self.preprocess = block, preprocess

    def _metric(self):
        return _as_metric(self.preprocess)

    def _rows(self, X):
        return self._metric()(X)

    def fit(self, X, y, sample_weight=None):
        self._validate_params()
        if self.preprocess is None:
            X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], order="C")
        else:
            y = column_or_1d(y, warn=True)
            self.n_features_in_ = self._rows(X[:1]).shape[1]
        check_classification_targets(y)
        if self.gamma == "scale":
            self.gamma_ = gamma_scale(self._rows(X))
        elif self.gamma == "auto":
            self.gamma_ = 1.0 / self.n_features_in_
        else:
            self.gamma_ = float(self.gamma)
        K = rbf_kernel(X, None, self.gamma_, self.block, self._metric())
        self.svc_ = SVC(kernel="precomputed", C=self.C, tol=self.tol, shrinking=self.shrinking,
                        cache_size=self.cache_size, class_weight=self.class_weight, max_iter=self.max_iter,
                        decision_function_shape=self.decision_function_shape, break_ties=self.break_ties)
        self.svc_.fit(K, y, sample_weight=sample_weight)
        del K
        self.X_fit_ = X
        for name in ("classes_", "support_", "n_support_", "dual_coef_", "intercept_", "class_weight_", "n_iter_"):
            setattr(self, name, getattr(self.svc_, name))
        self.support_vectors_ = X[self.support_]
        return self

    def _kernel_to_fitted(self, X):
        check_is_fitted(self)
        if self.preprocess is None:
            X = validate_data(self, X, dtype=[np.float64, np.float32], order="C", reset=False)
        return X

    def _blocks(self, X, method):
        """``method`` of the fitted SVC on X, a block of rows at a time (the fitted rows' tiles made once)."""
        metric = self._metric()
        fitted = _Tiles(self.X_fit_, self.block, metric)
        out = [getattr(self.svc_, method)(_kernel(_Tiles(X[s:s + self.block], self.block, metric), fitted,
                                                  min(self.block, len(X) - s), len(self.X_fit_), self.gamma_,
                                                  self.block, metric, symmetric=False))
               for s in range(0, len(X), self.block)]
        return np.concatenate(out) if out else out

    def predict(self, X):
        X = self._kernel_to_fitted(X)
        if len(X) == 0:
            return np.empty(0, dtype=self.classes_.dtype)
        return self._blocks(X, "predict")

    def decision_function(self, X):
        return self._blocks(self._kernel_to_fitted(X), "decision_function")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags
