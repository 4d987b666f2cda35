"""classlab: Problem Set 10 "Deep Classification", answered reproducibly, fast and with its pitfalls measured.

The public API (everything else is internal and may change):

* ``run(...)``, ``load(run_dir)``, ``Run``: answer the problem set from Python; show it in Jupyter.
* ``grade(key, responses, ...)``, ``Grades``: grade a class's Moodle quiz export against a run's key.
* The problem set's models: ``Dense``, ``CNN``, ``DeepClassifier`` (the listing as written) and
  ``DeepClassifierCorrected``; ``count_parameters``.
* Data: ``load_cifar10`` (every form of CIFAR-10, as uint8 tensors), ``augment`` and ``normalize``
  (the problem set's transform on whole batches), ``TensorBatches`` (the batched DataLoader).
* Training: ``fit`` and ``evaluate``.
* ``RBFSVC``: ``SVC(kernel='rbf')`` as a faster scikit-learn estimator, same support vectors;
  ``PixelFeatures``: uint8 images as its normalized-pixel features, with exact integer distances.
* ``Settings`` and ``DEFAULT`` (every setting of the problem set), ``ClasslabError``.
"""

from ._version import __version__

_PUBLIC = {
    "run": "_api", "load": "_api", "Run": "_api", "grade": "_grade", "Grades": "_grade",
    "Dense": "models", "CNN": "models", "DeepClassifier": "models", "DeepClassifierCorrected": "models",
    "count_parameters": "models",
    "load_cifar10": "data.cifar", "augment": "data.augment", "normalize": "data.augment",
    "TensorBatches": "data.batches",
    "fit": "training", "evaluate": "training",
    "RBFSVC": "svm", "PixelFeatures": "svm",
    "Settings": "settings", "DEFAULT": "settings",
    "ClasslabError": "errors",
}
__all__ = ["__version__", *_PUBLIC]


def __getattr__(name):  # imported on first use: `import classlab` stays quick, torch loads when needed
    if name in _PUBLIC:
        from importlib import import_module

        value = getattr(import_module(f"{__name__}.{_PUBLIC[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'classlab' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
