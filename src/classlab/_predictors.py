"""Trained models rebuilt from their saved results, as scikit-learn classifiers (for the boundary figures).

Unit results keep what a model learned (a DeepClassifier's weights, logistic regression's coefficients)
as plain numbers. The figures rebuild the models from them here, so that drawing a decision boundary never
needs the training run. Each follows scikit-learn's rules: the saved result is a parameter (``__init__``
stores it untouched); ``fit`` learns nothing new, it reads the data's classes and feature count and sets the
fitted attributes (ending in ``_``) from the saved result.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model._base import LinearClassifierMixin
from sklearn.utils.validation import check_is_fitted, validate_data


class SavedLinearClassifier(LinearClassifierMixin, BaseEstimator):
    """A linear classifier from saved ``coef`` and ``intercept`` (a PointsLogReg result); scikit-learn's own
    ``LinearClassifierMixin`` predicts, exactly as the fitted LogisticRegression did."""

    def __init__(self, coef=None, intercept=None):
        self.coef = coef
        self.intercept = intercept

    def fit(self, X, y):
        X, y = validate_data(self, X, y)
        self.classes_ = np.unique(y)
        self.coef_, self.intercept_ = np.asarray(self.coef, dtype=float), np.asarray(self.intercept, dtype=float)
        return self


class SavedDeepClassifier(ClassifierMixin, BaseEstimator):
    """A DeepClassifier from its saved weights (a PointsNet result, or one of its snapshots), in eval mode."""

    def __init__(self, result=None):
        self.result = result

    def fit(self, X, y):
        X, y = validate_data(self, X, y)
        self.classes_ = np.unique(y)
        self.module_ = deep_classifier(self.result, self.n_features_in_, len(self.classes_))
        return self

    def predict(self, X):
        import torch

        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        with torch.no_grad():
            return self.classes_[self.module_(torch.as_tensor(X, dtype=torch.float32)).argmax(1).numpy()]


def deep_classifier(result, n_features, n_classes):
    """The ``nn.Module`` of a PointsNet result (or snapshot): its saved weights in a DeepClassifier, eval mode."""
    import torch

    from .models import DeepClassifierCorrected, named_layers

    model = DeepClassifierCorrected(result["n_hidden"], result["hidden_dim"], n_features, n_classes)
    with torch.no_grad():
        for name, layer in named_layers(model).items():
            flat = torch.tensor(result["weights"][name])
            layer.weight.copy_(flat[:layer.weight.numel()].view_as(layer.weight))
            layer.bias.copy_(flat[layer.weight.numel():])
    return model.eval()


def from_description(description):
    """The unfitted classifier of ``{"kind": "logreg" | "deep", "result": ...}`` (what a boundary figure holds)."""
    result = description["result"]
    if description["kind"] == "logreg":
        return SavedLinearClassifier(result["coef"], result["intercept"])
    return SavedDeepClassifier(result)
