"""Trained models rebuilt from their saved results, with scikit-learn's ``predict`` API.

Unit results keep what a model learned (a DeepClassifier's weights, logistic regression's
coefficients) as plain numbers. The figures and the report rebuild the models from them here,
so that drawing a decision boundary never needs the training run.
"""

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


def deep_classifier(result, n_features, n_classes):
    """The DeepClassifier of a PointsNet result (or of one of its snapshots), in eval mode."""
    import torch

    from .models import DeepClassifierCorrected
    from ._units.points import named_layers

    model = DeepClassifierCorrected(result["n_hidden"], result["hidden_dim"], n_features, n_classes)
    with torch.no_grad():
        for name, layer in named_layers(model).items():
            flat = torch.tensor(result["weights"][name])
            layer.weight.copy_(flat[:layer.weight.numel()].view_as(layer.weight))
            layer.bias.copy_(flat[layer.weight.numel():])
    return model.eval()


def logistic_regression(result, n_classes):
    """The fitted LogisticRegression of a PointsLogReg result."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression()
    model.coef_, model.intercept_ = np.asarray(result["coef"]), np.asarray(result["intercept"])
    model.classes_ = np.arange(n_classes)
    return model


def from_description(description, n_features, n_classes):
    """A predictor from ``{"kind": "logreg" | "deep", "result": ...}`` (what a boundary figure holds)."""
    if description["kind"] == "logreg":
        return logistic_regression(description["result"], n_classes)
    return TorchClassifier(deep_classifier(description["result"], n_features, n_classes), n_classes)
