"""The two protocols at the level of the data they produce, and the units' use of them.

Faithful is the problem set's code as written: the test set loaded with the training transform,
the SVC's arrays taken through it, DeepClassifier with its plain list and its seed call.
Corrected is correct practice: clean test images and pixels, nn.ModuleList, seeded once.
"""

from dataclasses import replace

import pytest
import torch

from classlab._context import Context
from classlab.data.augment import flip_crop, normalize
from classlab.models import DeepClassifier, DeepClassifierCorrected
from classlab._protocols import CORRECTED, FAITHFUL, cifar_test_batches, points_net, svc_pixels
from classlab.settings import DEFAULT
from test_problem_set import _tiny_cifar


@pytest.fixture
def images():
    g = torch.Generator().manual_seed(7)
    return torch.randint(0, 256, (40, 3, 32, 32), dtype=torch.uint8, generator=g), torch.arange(40) % 10


def _variants(img):
    """All 162 flip/crop variants of one uint8 image, normalized (what the training transform can make of it)."""
    n = 2 * 9 * 9
    flip = torch.tensor([f for f in (False, True) for _ in range(81)])
    i = torch.tensor([a for _ in range(2) for a in range(9) for _ in range(9)])
    j = torch.tensor([b for _ in range(2) for _ in range(9) for b in range(9)])
    return normalize(flip_crop(img.expand(n, -1, -1, -1), flip, i, j))


def test_faithful_test_batches_are_augmented_test_images(images):
    x, y = images
    torch.manual_seed(1)
    batches = list(cifar_test_batches(FAITHFUL, x, y, 16, torch.Generator().manual_seed(0)))
    out, labels = torch.cat([b for b, _ in batches]), torch.cat([lab for _, lab in batches])
    torch.manual_seed(2)  # the draws come from the generator given, not torch's global one
    again = cifar_test_batches(FAITHFUL, x, y, 16, torch.Generator().manual_seed(0))
    assert torch.equal(torch.cat([b for b, _ in again]), out)
    assert labels.tolist() == y.tolist()  # in order: test_loader has shuffle=False
    clean = normalize(x)
    assert sum(not torch.equal(a, b) for a, b in zip(out, clean)) > len(x) // 2
    for k in range(len(x)):
        assert (out[k] == _variants(x[k:k + 1])).flatten(1).all(1).any(), k


def test_faithful_test_flips_follow_the_transforms_distribution():
    """Each test image is flipped with probability 1/2: measured on asymmetric images."""
    x = torch.zeros(4000, 3, 32, 32, dtype=torch.uint8)
    x[:, :, 4:28, 4:10] = 255  # a bar on the left: flipped, it lands on the right
    batches = cifar_test_batches(FAITHFUL, x, torch.zeros(4000, dtype=torch.long), 500, torch.Generator().manual_seed(1))
    out = torch.cat([b for b, _ in batches])
    flipped = (out[:, 0, :, 16:].sum((1, 2)) > out[:, 0, :, :16].sum((1, 2))).double().mean().item()
    assert abs(flipped - 0.5) < 0.03


def test_corrected_test_batches_are_the_clean_test_set(images):
    x, y = images
    batches = list(cifar_test_batches(CORRECTED, x, y, 16, torch.Generator().manual_seed(0)))
    assert torch.equal(torch.cat([b for b, _ in batches]), normalize(x))
    assert torch.cat([lab for _, lab in batches]).tolist() == y.tolist()


def test_corrected_test_batches_draw_nothing(images):
    g = torch.Generator().manual_seed(0)
    before = g.get_state()
    list(cifar_test_batches(CORRECTED, *images, 16, g))
    assert torch.equal(g.get_state(), before)


def test_svc_pixels(images):
    x, _ = images
    g = torch.Generator().manual_seed(0)
    assert svc_pixels(CORRECTED, x, g) is x
    torch.manual_seed(1)
    augmented = svc_pixels(FAITHFUL, x, g)
    assert augmented.dtype == torch.uint8 and not torch.equal(augmented, x)
    torch.manual_seed(2)
    assert torch.equal(svc_pixels(FAITHFUL, x, torch.Generator().manual_seed(0)), augmented)  # its draws only
    for k in range(5):
        assert (normalize(augmented[k:k + 1]) == _variants(x[k:k + 1])).flatten(1).all(1).any()


def test_faithful_points_net_is_the_listing_and_reseeds():
    torch.manual_seed(5)
    model, generator = points_net(FAITHFUL, 3, n_hidden=3, hidden_dim=8, n_features=2, n_classes=2)
    assert type(model) is DeepClassifier and isinstance(model.between, list) and generator is None
    after = torch.rand(2)
    torch.manual_seed(42)
    DeepClassifierCorrected(3, 8)  # draws the same initial weights: the global generator is now at 42's stream
    assert torch.equal(after, torch.rand(2))


def test_corrected_points_net_is_seeded_by_the_run():
    a, ga = points_net(CORRECTED, 3, n_hidden=3, hidden_dim=8, n_features=2, n_classes=2)
    b, gb = points_net(CORRECTED, 4, n_hidden=3, hidden_dim=8, n_features=2, n_classes=2)
    assert type(a) is DeepClassifierCorrected and isinstance(a.between, torch.nn.ModuleList)
    assert not torch.equal(a.first.weight, b.first.weight)
    assert ga.initial_seed() == 3 and gb.initial_seed() == 4
    a2, _ = points_net(CORRECTED, 3, n_hidden=3, hidden_dim=8, n_features=2, n_classes=2)
    assert torch.equal(a.first.weight, a2.first.weight)


def test_cifar_net_scores_faithful_on_augmented_and_corrected_on_clean(monkeypatch):
    """At the unit: the faithful accuracy comes from augmented test batches, the corrected one from clean ones."""
    from classlab.training import Evaluation
    from classlab._units import CifarNet

    ctx = Context(replace(DEFAULT, epochs=1, learning_curves=False))
    data = _tiny_cifar(ctx)
    clean = normalize(data.test_x)

    def spy(model, batches, loss_fn=None, precision="fp32"):
        x = torch.cat([b for b, _ in batches])
        augmented = not torch.equal(x, clean)
        return Evaluation(float(augmented), 0.0, torch.zeros(len(x), dtype=torch.long), torch.zeros(len(x)).long())

    monkeypatch.setattr("classlab._units.cifar.evaluate", spy)
    result = CifarNet("dense", 0).run(ctx)
    assert result["faithful"]["accuracy"] == 1.0 and result["corrected"]["accuracy"] == 0.0


def test_cifar_svc_fits_and_predicts_each_protocol_on_its_own_pixels(monkeypatch):
    from classlab import svm
    from classlab._units import CifarSVC

    calls = []

    class Spy(svm.RBFSVC):
        def fit(self, X, y):
            calls.append(("fit", X.clone()))
            return super().fit(X, y)

        def predict(self, X):
            calls.append(("predict", X.clone()))
            return super().predict(X)

    monkeypatch.setattr(svm, "RBFSVC", Spy)
    ctx = Context(replace(DEFAULT, svc_train_points=30))
    data = _tiny_cifar(ctx)
    result = CifarSVC(0).run(ctx)
    (f_fit, f_fit_x), (f_pred, f_pred_x), (c_fit, c_fit_x), (c_pred, c_pred_x) = calls
    assert (f_fit, f_pred, c_fit, c_pred) == ("fit", "predict", "fit", "predict")
    assert torch.equal(c_fit_x, data.train_x[:30]) and torch.equal(c_pred_x, data.test_x)
    assert not torch.equal(f_fit_x, data.train_x[:30]) and not torch.equal(f_pred_x, data.test_x)
    assert set(result) >= {FAITHFUL, CORRECTED}
