"""Units of work: small picklable descriptions, and ``run_unit`` that carries one out.

A unit is one model trained under one seed (or one SVC, one logistic regression). It knows
nothing of questions; the questions read the results. Results are plain JSON-able dicts,
so a finished unit is saved as it completes and skipped on ``--resume``, and units could be
spread over processes or machines with nothing but the run's ``Context`` rebuilt there.
"""

import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import torch
from torch import nn

from .data.batches import PIPELINES, TensorBatches
from .data.augment import flip_crop_random, normalize
from .models import CNN, Dense, DeepClassifier, DeepClassifierCorrected, count_parameters
from .settings import Settings
from .training import evaluate, fit

NETS = {"dense": (Dense, nn.NLLLoss), "cnn": (CNN, nn.CrossEntropyLoss)}


@dataclass(frozen=True)
class CifarNet:
    """Train the dense net or the CNN once (problems 1.4 / 1.6) and evaluate it both ways."""

    model: str  # dense | cnn
    seed: int

    @property
    def key(self):
        return f"{self.model}-seed{self.seed}"


@dataclass(frozen=True)
class CifarSVC:
    """Fit the RBF SVC on the first N training points, on augmented and on clean pixels (1.7, 1.8)."""

    seed: int

    @property
    def key(self):
        return f"svc-seed{self.seed}"


@dataclass(frozen=True)
class PointsLogReg:
    """Logistic regression on the 50:50 split (2.1, 2.2). Deterministic: no seed."""

    @property
    def key(self):
        return "logreg"


@dataclass(frozen=True)
class PointsNet:
    """Train one DeepClassifier on the 50:50 split (2.3, 2.4, the plain-list pitfall)."""

    protocol: str  # faithful | corrected
    n_hidden: int
    hidden_dim: int
    seed: int

    @property
    def key(self):
        return f"points-{self.protocol}-h{self.n_hidden}-w{self.hidden_dim}-seed{self.seed}"


class Context:
    """What every unit of one run shares: settings, data sources, device, output folder."""

    def __init__(self, settings: Settings, cifar_path=None, data_dir=None, points_x=None, points_y=None,
                 out_dir=None, skip_bad_images=False, progress=None):
        self.settings = settings
        self.cifar_path, self.data_dir = cifar_path, data_dir
        self.points_x, self.points_y = points_x, points_y
        self.out_dir = Path(out_dir) if out_dir else None
        self.skip_bad_images = skip_bad_images
        self.progress = progress
        self.device = torch.device(settings.device)

    @cached_property
    def cifar_full(self):
        import sys

        from .data.cifar import load_cifar10

        data = load_cifar10(self.cifar_path, self.data_dir, skip_bad_images=self.skip_bad_images)
        if data.skipped_images:
            print(f"classlab: warning: {data.source}: skipped {data.skipped_images} unreadable image(s) "
                  "(--skip-bad-images)", file=sys.stderr)
        return data

    @cached_property
    def cifar(self):
        """The data the questions use (a prefix of it under --quick), on the run's device."""
        s = self.settings
        data = self.cifar_full.subset(s.train_subset, s.test_subset)
        for name in ("train_x", "train_y", "test_x", "test_y"):
            setattr(data, name, getattr(data, name).to(self.device))
        return data

    @cached_property
    def points(self):
        from .data.points import load_points

        return load_points(self.points_x, self.points_y)

    @cached_property
    def points_split(self):
        from sklearn.model_selection import train_test_split

        s = self.settings
        return train_test_split(self.points.X, self.points.y, test_size=s.split_test_size,
                                random_state=s.split_random_state)

    def checkpoint(self, unit):
        if self.out_dir is None:
            return None
        path = self.out_dir / "checkpoints" / f"{unit.key}.pt"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def report(self, unit, step, done, total):
        if self.progress is not None:
            self.progress(unit, step, done, total)


def run_unit(unit, ctx: Context):
    """Carry out one unit and return its JSON-able result."""
    return RUNNERS[type(unit)](unit, ctx)


def _seeded(seed, device):
    """Seed torch, numpy and random for ``seed``; return the data's own generator on ``device``."""
    import random

    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator(device=device).manual_seed(seed)


def _run_cifar_net(unit: CifarNet, ctx: Context):
    s, data = ctx.settings, ctx.cifar
    generator = _seeded(unit.seed, ctx.device)
    model_cls, loss_cls = NETS[unit.model]
    model = model_cls().to(ctx.device)
    batches = PIPELINES[s.pipeline]
    train = batches(data.train_x, data.train_y, s.batch_size, generator)
    clean_test = TensorBatches(data.test_x, data.test_y, s.eval_batch_size, generator, False, shuffle=False)
    t0 = time.perf_counter()
    history = fit(model, loss_cls(), train, s.epochs, s.lr,
                  test_batches=clean_test if s.learning_curves else None,
                  generators=[generator], checkpoint=ctx.checkpoint(unit), precision=s.precision,
                  progress=lambda e, b, n: ctx.report(unit, f"epoch {e + 1}/{s.epochs}", e * n + b, s.epochs * n))
    t1 = time.perf_counter()
    # Faithful: the problem set loads the test set with the *training* transform, so its
    # accuracy is measured on randomly flipped and cropped test images.
    faithful = evaluate(model, batches(data.test_x, data.test_y, s.eval_batch_size, generator, True, shuffle=False),
                        precision=s.precision)
    corrected = evaluate(model, clean_test, precision=s.precision)
    t2 = time.perf_counter()
    return {
        "model": unit.model, "seed": unit.seed, "parameters": count_parameters(model),
        "history": history.__dict__,
        "faithful": _scores(faithful), "corrected": _scores(corrected),
        "seconds": {"train": t1 - t0, "evaluate": t2 - t1},
    }


def _scores(evaluation, n_classes=10):
    from sklearn.metrics import confusion_matrix

    cm = confusion_matrix(evaluation.labels.numpy(), evaluation.predictions.numpy(), labels=range(n_classes))
    return {"accuracy": evaluation.accuracy, "confusion": cm.tolist()}


def _run_cifar_svc(unit: CifarSVC, ctx: Context):
    from sklearn.metrics import accuracy_score, confusion_matrix

    from .svm import RBFSVC

    s, data = ctx.settings, ctx.cifar
    generator = _seeded(unit.seed, ctx.device)
    n = min(s.svc_train_points, len(data.train_y))
    y_train, y_test = data.train_y[:n].cpu().numpy(), data.test_y.cpu().numpy()

    def pixels(x, train_transform):
        return flip_crop_random(x, generator) if train_transform else x

    def features(x_uint8):  # flattened normalized pixels, made tile by tile inside the SVC
        return normalize(x_uint8).reshape(len(x_uint8), -1).cpu().numpy()

    result = {"seed": unit.seed, "train_points": n, "seconds": {}}
    # Faithful: the arrays are taken from data sets loaded with the augmenting transform.
    for protocol, train_transform in (("faithful", True), ("corrected", False)):
        t0 = time.perf_counter()
        ctx.report(unit, f"SVC ({protocol})", 0, 2)
        svc = RBFSVC(preprocess=features).fit(pixels(data.train_x[:n], train_transform), y_train)
        predictions = svc.predict(pixels(data.test_x, train_transform))
        result[protocol] = {
            "accuracy": float(accuracy_score(y_test, predictions)),
            "n_support": int(svc.n_support_.sum()),
            "n_support_per_class": [int(v) for v in svc.n_support_],
            "confusion": confusion_matrix(y_test, predictions, labels=range(10)).tolist(),
        }
        result["seconds"][protocol] = time.perf_counter() - t0
    return result


def _run_points_logreg(unit: PointsLogReg, ctx: Context):
    from sklearn.linear_model import LogisticRegression

    X_train, X_test, y_train, y_test = ctx.points_split
    model = LogisticRegression().fit(X_train, y_train)
    return {"accuracy": float(model.score(X_test, y_test)),
            "coef": model.coef_.tolist(), "intercept": model.intercept_.tolist()}


def _run_points_net(unit: PointsNet, ctx: Context):
    s = ctx.settings
    X_train, X_test, y_train, y_test = ctx.points_split
    n_features, n_classes = X_train.shape[1], ctx.points.n_classes
    shape = dict(n_hidden=unit.n_hidden, hidden_dim=unit.hidden_dim, n_features=n_features, n_classes=n_classes)
    if unit.protocol == "faithful":
        # The listing seeds torch's global generator in __init__ and the DataLoader shuffles
        # from that global generator: the seed of the run plays no part.
        model = DeepClassifier(**shape)
        generator = torch.default_generator
    else:
        generator = _seeded(unit.seed, "cpu")
        model = DeepClassifierCorrected(**shape)
    before = _all_layers(model)
    X_train, X_test = torch.as_tensor(X_train, dtype=torch.float32), torch.as_tensor(X_test, dtype=torch.float32)
    y_train, y_test = torch.as_tensor(y_train), torch.as_tensor(y_test)
    train = TensorBatches(X_train, y_train, s.points_batch_size, generator, transform=None)
    history = fit(model, nn.NLLLoss(), train, s.points_epochs, s.points_lr)
    test = evaluate(model, [(X_test, y_test)])
    after = _all_layers(model)
    middle = [f"between.{i}" for i in range(unit.n_hidden - 1)]
    return {
        "protocol": unit.protocol, "n_hidden": unit.n_hidden, "hidden_dim": unit.hidden_dim, "seed": unit.seed,
        "accuracy": test.accuracy, "final_train_loss": history.train_loss[-1],
        "parameters": count_parameters(model),
        "middle_layers_unchanged": [bool(torch.equal(before[m], after[m])) for m in middle],
        "middle_layers_in_state_dict": [any(k.startswith(m + ".") for k in model.state_dict()) for m in middle],
        "weights": {k: v.tolist() for k, v in after.items()},
    }


def _named_layers(model):
    """A DeepClassifier's layers by name, including the ones a plain list hides from ``state_dict``."""
    return {"first": model.first, "last": model.last} | {f"between.{i}": layer for i, layer in enumerate(model.between)}


def _all_layers(model):
    """Every layer's weights and bias, flattened, by name."""
    return {name: torch.cat([layer.weight.detach().flatten(), layer.bias.detach()]).clone()
            for name, layer in _named_layers(model).items()}


def points_model(result, n_features, n_classes):
    """Rebuild a trained points net from a PointsNet result (for figures)."""
    model = DeepClassifierCorrected(result["n_hidden"], result["hidden_dim"], n_features, n_classes)
    with torch.no_grad():
        for name, layer in _named_layers(model).items():
            flat = torch.tensor(result["weights"][name])
            layer.weight.copy_(flat[:layer.weight.numel()].view_as(layer.weight))
            layer.bias.copy_(flat[layer.weight.numel():])
    return model.eval()


RUNNERS = {CifarNet: _run_cifar_net, CifarSVC: _run_cifar_svc, PointsLogReg: _run_points_logreg,
           PointsNet: _run_points_net}

__all__ = ["CifarNet", "CifarSVC", "PointsLogReg", "PointsNet", "Context", "run_unit", "points_model"]
