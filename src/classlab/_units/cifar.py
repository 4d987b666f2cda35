"""The CIFAR-10 units: facts about the data, the dense net and the CNN, the RBF SVC."""

import time
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from ..data.augment import MEAN, STD
from ..data.batches import PIPELINES
from ..models import CNN, Dense, count_parameters
from .._protocols import CORRECTED, FAITHFUL, PROTOCOLS, cifar_test_batches, svc_pixels
from ..training import evaluate, fit, seed_everything
from .base import Unit, quiet

@dataclass(frozen=True)
class Net:
    """A CIFAR-10 net: how the settings build it, the loss the problem set trains it with, its name."""

    build: Callable
    loss: type
    name: str


# Dense ends in log_softmax (NLLLoss), the CNN in logits ("CrossEntropyLoss (since we do not apply the
# logarithmic softmax)").
NETS = {"dense": Net(lambda s: Dense(s.dense_hidden_sizes), nn.NLLLoss, "Dense net"),
        "cnn": Net(lambda s: CNN(), nn.CrossEntropyLoss, "CNN")}
# Rough seconds per epoch of 50,000 images on a 2-core CPU, only for the progress estimate.
_EPOCH_COST = {"dense": 2.0, "cnn": 10.0}


def _train_size(settings):
    return settings.train_subset or 50_000


@dataclass(frozen=True)
class CifarFacts(Unit):
    """What the data are: sizes, classes, the first five images; where they came from."""

    stage = 0
    needs = "cifar"

    @property
    def key(self):
        return "cifar-facts"

    @property
    def label(self):
        return "CIFAR-10 facts"

    def cost(self, settings):
        return 0.1

    def run(self, ctx, report=quiet):
        data = ctx.cifar_full
        return data.describe() | {"classes": list(data.classes),
                                  "first_five": {"labels": data.train_y[:5].tolist(),
                                                 "pixels": data.train_x[:5].tolist()}}


@dataclass(frozen=True)
class CifarNet(Unit):
    """Train the dense net or the CNN once and score it under both protocols."""

    model: str  # a key of NETS
    seed: int
    stage = 3
    needs = "cifar"
    heavy = True

    @property
    def key(self):
        return f"{self.model}-seed{self.seed}"

    @property
    def label(self):
        return f"{NETS[self.model].name} seed {self.seed}"

    def cost(self, settings):
        return settings.epochs * _train_size(settings) / 50_000 * _EPOCH_COST[self.model] + 1

    def run(self, ctx, report=quiet):
        s, data = ctx.settings, ctx.cifar
        generator = seed_everything(self.seed, ctx.device)
        net = NETS[self.model]
        model, loss_fn = net.build(s).to(ctx.device), net.loss()
        train = PIPELINES[s.pipeline](data.train_x, data.train_y, s.batch_size, generator)

        scored = {}

        def test(protocol, epoch):
            """Score the model on the test set as ``protocol`` does, after ``epoch`` epochs.

            The faithful flips and crops come from a generator of their own, made from (seed, epoch), and
            torch's global generator is set aside meanwhile (torchvision's transforms draw from it): scoring
            never changes what training draws, and the last epoch's curve point is the answer itself
            (scored once: the final scores reuse it).
            """
            if (protocol, epoch) in scored:
                return scored[protocol, epoch]
            with torch.random.fork_rng(devices=[]):
                scoring = torch.Generator(ctx.device).manual_seed(_scoring_seed(self.seed, epoch))
                torch.manual_seed(_scoring_seed(self.seed, epoch))
                batches = cifar_test_batches(protocol, data.test_x, data.test_y, s.eval_batch_size, scoring,
                                             s.pipeline)
                scored[protocol, epoch] = evaluate(model, batches, loss_fn, precision=s.precision)
            return scored[protocol, epoch]

        def curves(epoch, model):
            clean, faithful = test(CORRECTED, epoch + 1), test(FAITHFUL, epoch + 1)
            return {"test_loss": clean.loss, "test_accuracy": clean.accuracy,
                    "faithful_test_accuracy": faithful.accuracy}

        def progress(epoch, batch, n):
            report(epoch * n + batch, s.epochs * n, f"epoch {epoch + 1}/{s.epochs}", milestone=batch == n)

        t0 = time.perf_counter()
        history = fit(model, loss_fn, train, s.epochs, s.lr, after_epoch=curves if s.learning_curves else None,
                      generators=[generator], checkpoint=ctx.checkpoint(self.key), precision=s.precision,
                      progress=progress)
        t1 = time.perf_counter()
        n_classes = len(ctx.cifar_full.classes)
        scores = {protocol: _scores(test(protocol, s.epochs), n_classes) for protocol in PROTOCOLS}
        return {"model": self.model, "seed": self.seed, "parameters": count_parameters(model),
                "history": history.to_dict(), **scores,
                "seconds": {"train": t1 - t0, "evaluate": time.perf_counter() - t1}}


def _scoring_seed(seed, epoch):
    """A seed for scoring after ``epoch`` epochs of the run seeded ``seed``: apart from every training seed."""
    import numpy as np

    return int(np.random.SeedSequence([seed, epoch, 0x5C0]).generate_state(1, dtype=np.uint64)[0] >> 1)


def _scores(evaluation, n_classes):
    from sklearn.metrics import confusion_matrix

    cm = confusion_matrix(evaluation.labels.numpy(), evaluation.predictions.numpy(), labels=range(n_classes))
    return {"accuracy": evaluation.accuracy, "confusion": cm.tolist()}


@dataclass(frozen=True)
class CifarSVC(Unit):
    """Fit the RBF SVC on the first N training points under both protocols."""

    seed: int
    stage = 1  # first in a serial run, while the process is smallest: its Gram matrix is the largest allocation
    needs = "cifar"
    heavy = True

    @property
    def key(self):
        return f"svc-seed{self.seed}"

    @property
    def label(self):
        return f"SVC seed {self.seed}"

    def cost(self, settings):
        return 2 * 12.0 * (min(_train_size(settings), settings.svc_train_points) / 10_000) ** 2 + 1

    def run(self, ctx, report=quiet):
        from sklearn.metrics import accuracy_score, confusion_matrix

        from ..svm import RBFSVC, PixelFeatures

        s, data = ctx.settings, ctx.cifar
        generator = seed_everything(self.seed, ctx.device)
        n = min(s.svc_train_points, len(data.train_y))
        y_train, y_test = data.train_y[:n].cpu().numpy(), data.test_y.cpu().numpy()
        n_classes = len(ctx.cifar_full.classes)

        # The problem set's normalized pixels as features; the SVC computes their distances from the uint8 images.
        features = PixelFeatures(MEAN, STD)
        result = {"seed": self.seed, "train_points": n, "seconds": {}}
        for i, protocol in enumerate(PROTOCOLS):
            t0 = time.perf_counter()
            report(i, len(PROTOCOLS), f"SVC ({protocol})")
            svc = RBFSVC(preprocess=features).fit(svc_pixels(protocol, data.train_x[:n], generator), y_train)
            predictions = svc.predict(svc_pixels(protocol, data.test_x, generator))
            result[protocol] = {
                "accuracy": float(accuracy_score(y_test, predictions)),
                "n_support": int(svc.n_support_.sum()),
                "n_support_per_class": [int(v) for v in svc.n_support_],
                "confusion": confusion_matrix(y_test, predictions, labels=range(n_classes)).tolist(),
            }
            result["seconds"][protocol] = time.perf_counter() - t0
            report(i + 1, len(PROTOCOLS), f"SVC ({protocol})", milestone=True)
        return result
