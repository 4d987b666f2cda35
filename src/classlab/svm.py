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

It drops into a Pipeline or ``cross_val_score`` wherever ``SVC(kernel='rbf')`` goes.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.svm import SVC
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data


def gamma_scale(X):
    """scikit-learn's ``gamma='scale'``, computed in float64 as it does."""
    var = X.var(dtype=np.float64)
    return 1.0 / (X.shape[1] * var) if var != 0 else 1.0


def _tiles(X, block, rows):
    for s in range(0, len(X), block):
        yield s, np.asarray(rows(X[s:s + block]), dtype=np.float64)


def rbf_kernel(A, B=None, gamma=1.0, block=2048, rows=np.asarray):
    """``exp(-gamma * |a - b|^2)`` for all rows a of A and b of B (``B=None``: of A itself), in float64.

    ``rows`` turns a slice of rows into features (default: as they are). Tiles are made and
    cast to float64 one at a time, so memory holds the result and two tiles, never float64
    copies of A and B (and, with ``rows``, not even float copies). Without B the matrix is
    symmetric: each tile below the diagonal is the transpose of one above it, computed once.
    """
    symmetric = B is None
    B = A if symmetric else B
    a2 = np.concatenate([np.einsum("ij,ij->i", a, a) for _, a in _tiles(A, block, rows)])
    b2 = a2 if symmetric else np.concatenate([np.einsum("ij,ij->i", b, b) for _, b in _tiles(B, block, rows)])
    K = np.empty((len(A), len(B)), dtype=np.float64)
    for s, a in _tiles(A, block, rows):
        for t, b in _tiles(B, block, rows):
            if symmetric and t < s:
                continue
            k = K[s:s + len(a), t:t + len(b)]
            np.matmul(a, b.T, out=k)
            k *= -2.0
            k += a2[s:s + len(a), None]
            k += b2[None, t:t + len(b)]
            np.maximum(k, 0.0, out=k)
            k *= -gamma
            np.exp(k, out=k)
            if symmetric and t > s:
                K[t:t + len(b), s:s + len(a)] = k.T
            elif symmetric:  # a tile on the diagonal: BLAS need not round (i, j) and (j, i) alike
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

    def _rows(self, X):
        return np.asarray(self.preprocess(X) if self.preprocess is not None else X)

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
        K = rbf_kernel(X, None, self.gamma_, self.block, self._rows)
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
        out = [getattr(self.svc_, method)(rbf_kernel(X[s:s + self.block], self.X_fit_, self.gamma_, self.block,
                                                      self._rows))
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
