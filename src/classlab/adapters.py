"""A trained torch classifier seen through scikit-learn's estimator API."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin


class TorchClassifier(ClassifierMixin, BaseEstimator):
    """A trained torch classifier seen through scikit-learn's predict API (for DecisionBoundaryDisplay)."""

    def __init__(self, module=None, n_classes=2):
        self.module = module
        self.n_classes = n_classes
        self.classes_ = np.arange(n_classes)

    def fit(self, X, y):  # already trained; present for the estimator API
        return self

    def predict(self, X):
        import torch

        with torch.no_grad():
            return self.module(torch.as_tensor(np.asarray(X), dtype=torch.float32)).argmax(1).numpy()
