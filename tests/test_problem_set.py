"""Every setting of the problem set, pinned against its own words.

Each test quotes the sentence of Problem Set 10 it checks. A change to what an answer means (an
epoch count, a batch size, the optimizer, a loss, the transform, the split, the widths, the
target, the digits an answer is rounded to, the points) turns one of these red at once.
"""

import dataclasses

import pytest
import torch
from torch import nn

from classlab._questions import ALL, PARTS, REGISTRY
from classlab.settings import DEFAULT


# ----------------------------------------------------------------------------- the questions


def test_twelve_questions_in_the_problem_sets_order():
    assert ALL == ("1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "2.1", "2.2", "2.3", "2.4")
    assert [REGISTRY[q].part for q in ALL] == [1] * 8 + [2] * 4
    assert set(PARTS) == {1, 2}


@pytest.mark.parametrize("id,points", [
    ("1.1", 0.5), ("1.2", 0.5), ("1.3", 1.0), ("1.4", 1.0), ("1.5", 1.0), ("1.6", 1.0), ("1.7", 0.5),
    ("1.8", 0.5), ("2.1", 0.5), ("2.2", 1.0), ("2.3", 1.0), ("2.4", 1.5)])
def test_points_as_the_problem_set_gives_them(id, points):
    """"(0.5 P)", "(1.0 P)", ... under each question."""
    assert REGISTRY[id].points == points


@pytest.mark.parametrize("id,digits", [
    ("1.4", 2), ("1.6", 2), ("1.7", 2),  # "rounded to 2 digits after the decimal point"
    ("2.1", 3), ("2.3", 3),  # "rounded to 3 digits after the comma"
    ("1.1", None), ("1.3", None), ("1.5", None), ("1.8", None), ("2.4", None)])  # counts and ratios, as they are
def test_digits_each_answer_is_rounded_to(id, digits):
    assert REGISTRY[id].digits == digits


def test_what_data_each_question_needs():
    assert {q for q in ALL if "cifar" in REGISTRY[q].needs} == {"1.1", "1.2", "1.4", "1.6", "1.7", "1.8"}
    assert {q for q in ALL if "points" in REGISTRY[q].needs} == {"2.1", "2.2", "2.3", "2.4"}


def test_question_texts_are_the_problem_sets():
    text = {id: q.text_for(DEFAULT) for id, q in REGISTRY.items()}
    assert "rounded to 2 digits" in text["1.4"] and "only 10 epochs" in text["1.4"] and "lr=0.001)" in text["1.4"]
    assert "10 epochs, Adam optimizer with lr=0.001" in text["1.6"]
    assert "0.99 or more" in text["2.4"] and "[2, 4, 8, 16, 32, 64]" in text["2.4"] and "for 100 epochs" in text["2.4"]
    assert "first 10k points" in text["1.7"] and "you used 10k training points" in text["1.8"]
    assert "split them 50:50" in text["2.1"] and "random_state=42" in text["2.1"]
    assert "layer dimension of 2 for 100 epochs" in text["2.3"]
    assert text["1.3"] == "How many parameters does the linear model from above have?"
    assert "lr=" not in text["2.3"] + text["2.4"]  # "the same settings as in problem 1.4"


def test_a_variants_questions_say_its_settings():
    """Next year's variant: the quiz asks what the run computed, in the problem set's words."""
    variant = dataclasses.replace(DEFAULT, epochs=5, lr=0.01, svc_train_points=5000, widths=(3, 6), first_width=3,
                                  target_accuracy=0.95, points_epochs=50, points_lr=0.003, split_test_size=0.25,
                                  split_random_state=7, dense_hidden_sizes=(128,))
    text = {id: q.text_for(variant) for id, q in REGISTRY.items()}
    assert "only 5 epochs" in text["1.4"] and "lr=0.01)" in text["1.4"] and "5 epochs, Adam optimizer with lr=0.01" in text["1.6"]
    assert "first 5k points" in text["1.7"] and "you used 5k training points" in text["1.8"]
    assert "split them 75:25" in text["2.1"] and "random_state=7" in text["2.1"]
    assert "layer dimension of 3 for 50 epochs" in text["2.3"] and "(here with lr=0.003)" in text["2.3"]
    assert "[3, 6]" in text["2.4"] and "0.95 or more" in text["2.4"] and "50 epochs" in text["2.4"]
    assert "hidden_sizes = [128]" in text["1.3"]
    assert REGISTRY["1.3"].label_for(variant) == "How many parameters does the dense model (3072-128-10) have?"


def test_schema_file_lists_the_registrys_ids():
    """answers.schema.json is derived from the registry (python -m classlab.schema writes it)."""
    from classlab import schema

    assert schema.load() == schema.build()
    assert schema.load()["properties"]["answers"]["propertyNames"]["enum"] == list(ALL)


# ----------------------------------------------------------------------------- the settings


def test_cifar_training_settings():
    # 1.4: "Train the deep model for only 10 epochs"; setup: "DataLoader(..., batch_size=50, shuffle=True)";
    # "optimizer = optim.Adam(model.parameters(), lr=0.001)"
    assert (DEFAULT.epochs, DEFAULT.batch_size, DEFAULT.lr) == (10, 50, 0.001)
    assert DEFAULT.train_subset is None and DEFAULT.test_subset is None  # the whole data set
    assert DEFAULT.precision == "fp32" and DEFAULT.pipeline == "tensor" and DEFAULT.quick is False


def test_svc_settings():
    # 1.7: "use only the first 10k points from the training set"
    assert DEFAULT.svc_train_points == 10_000


def test_part2_settings():
    # 2.1: "split them 50:50 using the train_test_split with random_state=42"; 2.3: "for 100 epochs", "a layer
    # dimension of 2", "the same settings as in problem 1.4 regarding loss function and optimizer"; 2.4: "[2, 4,
    # 8, 16, 32, 64]", "an accuracy on the test set of 0.99 or more"
    assert (DEFAULT.split_test_size, DEFAULT.split_random_state) == (0.5, 42)
    assert (DEFAULT.points_epochs, DEFAULT.first_width, DEFAULT.points_lr) == (100, 2, 0.001)
    assert DEFAULT.widths == (2, 4, 8, 16, 32, 64)
    assert DEFAULT.target_accuracy == 0.99
    # Not in the problem set, stated by classlab: part 2's batch size (as in part 1) and the pitfall's net.
    assert (DEFAULT.points_batch_size, DEFAULT.pitfall_n_hidden, DEFAULT.pitfall_width) == (50, 3, 8)


def test_the_target_is_reached_at_or_above():
    """"0.99 or more": a width with exactly 0.99 qualifies."""
    from classlab._questions.part2 import smallest_width

    assert smallest_width([2, 4, 8], [0.98, 0.99, 1.0], 0.99) == 4
    assert smallest_width([2, 4, 8], [0.5, 0.989999, 0.99], 0.99) == 8
    assert smallest_width([2, 4], [0.5, 0.6], 0.99) == "none"


def test_quick_is_marked_and_small():
    from classlab.settings import QUICK

    assert QUICK.quick and QUICK.epochs < DEFAULT.epochs and QUICK.train_subset


def test_settings_round_trip_through_json():
    import json

    from classlab.settings import Settings

    assert Settings.from_dict(json.loads(json.dumps(DEFAULT.to_dict()))) == DEFAULT
    other = dataclasses.replace(DEFAULT, widths=(3, 5), snapshot_epochs=(1, 7))  # tuples survive the trip through JSON lists
    assert Settings.from_dict(json.loads(json.dumps(other.to_dict()))) == other
    # a run.json written before the report's snapshots existed resumes with the default snapshots
    older = {k: v for k, v in DEFAULT.to_dict().items() if k != "snapshot_epochs"}
    assert Settings.from_dict(json.loads(json.dumps(older))) == DEFAULT


# ----------------------------------------------------------------------------- losses and optimizer


def test_losses_per_net():
    """1.4: "criterion = nn.NLLLoss()"; 1.6: "CrossEntropyLoss (since we do not apply the logarithmic softmax)"."""
    from classlab._units import NETS

    assert NETS["dense"].loss is nn.NLLLoss
    assert NETS["cnn"].loss is nn.CrossEntropyLoss


def test_part2_trains_with_nllloss_and_the_listings_adam(monkeypatch):
    """2.3: "the same settings as in problem 1.4 regarding loss function and optimizer"."""
    from dataclasses import replace

    from classlab import training
    from classlab._context import Context
    from classlab._units import PointsNet

    seen = {}
    real_fit = training.fit

    def spy(model, loss_fn, batches, epochs, lr=1e-3, **kw):
        seen.update(loss=type(loss_fn), epochs=epochs, lr=lr, fused=kw.get("fused", True),
                    batch_size=batches.batch_size)
        return real_fit(model, loss_fn, batches, epochs, lr, **kw)

    monkeypatch.setattr("classlab._units.points.fit", spy)
    PointsNet("faithful", 1, 2, 42).run(Context(replace(DEFAULT, points_epochs=1)))
    assert seen == {"loss": nn.NLLLoss, "epochs": 1, "lr": 0.001, "fused": False, "batch_size": 50}


def _fit_once(fused, lr=1e-3):
    from classlab.training import fit

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2), nn.LogSoftmax(1))
    x, y = torch.randn(20, 4), torch.arange(20) % 2
    fit(model, nn.NLLLoss(), [(x[:10], y[:10]), (x[10:], y[10:])], epochs=3, lr=lr, fused=fused)
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def _adam_by_hand(lr=1e-3):
    """The listings' loop, written out: optim.Adam(model.parameters(), lr=lr), zero_grad, backward, step."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2), nn.LogSoftmax(1))
    x, y = torch.randn(20, 4), torch.arange(20) % 2
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(3):
        for xb, yb in [(x[:10], y[:10]), (x[10:], y[10:])]:
            optimizer.zero_grad()
            nn.NLLLoss()(model(xb), yb).backward()
            optimizer.step()
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def test_fit_is_the_listings_adam_loop():
    assert torch.equal(_fit_once(fused=False), _adam_by_hand())
    # The fused kernel (the CIFAR nets) computes the same update, rounded differently.
    torch.testing.assert_close(_fit_once(fused=True), _adam_by_hand(), rtol=1e-5, atol=1e-6)
    assert not torch.allclose(_fit_once(fused=False, lr=1e-2), _adam_by_hand(), atol=1e-4)


# ----------------------------------------------------------------------------- the transform


def test_transform_constants_are_the_listings():
    """Setup listing: RandomHorizontalFlip(), RandomCrop(32, padding=4), ToTensor(),
    Normalize((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010))."""
    from classlab.data import augment

    assert augment.MEAN == (0.4914, 0.4822, 0.4465)
    assert augment.STD == (0.2023, 0.1994, 0.2010)
    assert augment.PADDING == 4
    steps = augment.torchvision_transform(train=True).transforms
    assert [type(t).__name__ for t in steps] == ["RandomHorizontalFlip", "RandomCrop", "ToTensor", "Normalize"]
    assert steps[0].p == 0.5 and steps[1].size == (32, 32) and steps[1].padding == 4
    assert [type(t).__name__ for t in augment.torchvision_transform(train=False).transforms] == ["ToTensor", "Normalize"]


def test_normalize_is_the_listings_normalize():
    from torchvision import transforms

    from classlab.data.augment import normalize

    x = torch.randint(0, 256, (4, 3, 32, 32), dtype=torch.uint8)
    listing = transforms.Normalize((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010))
    assert torch.equal(normalize(x), torch.stack([listing(transforms.functional.to_tensor(
        i.permute(1, 2, 0).numpy())) for i in x]))


def test_flip_probability_and_crop_range():
    """RandomHorizontalFlip(p=0.5); RandomCrop(32, padding=4) places the corner anywhere in 0..8."""
    from classlab.data.augment import sample_flip_crop

    flip, i, j = sample_flip_crop(40000, torch.Generator().manual_seed(0))
    assert abs(flip.double().mean().item() - 0.5) < 0.01
    assert set(i.tolist()) == set(range(9)) == set(j.tolist())


def test_training_batches_are_shuffled_and_test_batches_are_not():
    """Setup listing: train_loader shuffle=True, test_loader shuffle=False."""
    from classlab.data.batches import TensorBatches
    from classlab._protocols import cifar_test_batches

    x, y = torch.zeros(100, 3, 32, 32, dtype=torch.uint8), torch.arange(100)
    train = TensorBatches(x, y, 50, torch.Generator().manual_seed(0))
    assert train.batch_size == DEFAULT.batch_size
    first = torch.cat([yb for _, yb in train])
    assert sorted(first.tolist()) == list(range(100)) and first.tolist() != list(range(100))
    for protocol in ("faithful", "corrected"):
        test = cifar_test_batches(protocol, x, y, 30, torch.Generator().manual_seed(0))
        assert torch.cat([yb for _, yb in test]).tolist() == list(range(100))


# ----------------------------------------------------------------------------- the SVC


def test_svc_is_sklearns_rbf_svc_with_defaults():
    """1.7: "train an SVC classifier SVC(kernel='rbf') with the default settings"."""
    from sklearn.svm import SVC

    from classlab.svm import RBFSVC

    ours, theirs = RBFSVC(), SVC(kernel="rbf")
    assert ours.C == theirs.C == 1.0
    assert theirs.gamma == "scale"


def test_svc_unit_trains_on_the_first_n_points(monkeypatch):
    """"use only the first 10k points": the SVC's training images are the first N, in order."""
    from dataclasses import replace

    from classlab import svm
    from classlab._context import Context
    from classlab._units import CifarSVC

    fitted = []

    class Spy(svm.RBFSVC):
        def fit(self, X, y):
            fitted.append((X.clone(), y.copy()))
            return super().fit(X, y)

    monkeypatch.setattr(svm, "RBFSVC", Spy)
    ctx = Context(replace(DEFAULT, svc_train_points=30))
    data = _tiny_cifar(ctx)
    CifarSVC(0).run(ctx)
    (faithful_x, faithful_y), (clean_x, clean_y) = fitted
    assert torch.equal(clean_x, data.train_x[:30]) and clean_y.tolist() == data.train_y[:30].tolist()
    assert faithful_y.tolist() == clean_y.tolist() and not torch.equal(faithful_x, clean_x)


def test_svc_unit_is_sklearns_svc_on_the_normalized_pixels(monkeypatch):
    """1.7: the SVC sees the problem set's normalized pixels: the same model as SVC(kernel='rbf') fitted on
    normalize(images) flattened (support vectors and predictions)."""
    from dataclasses import replace

    import numpy as np
    from sklearn.svm import SVC

    from classlab import svm
    from classlab._context import Context
    from classlab._units import CifarSVC
    from classlab.data.augment import normalize

    fitted = []

    class Spy(svm.RBFSVC):
        def fit(self, X, y):
            fitted.append((self, X.clone(), y.copy()))
            return super().fit(X, y)

    monkeypatch.setattr(svm, "RBFSVC", Spy)
    ctx = Context(replace(DEFAULT, svc_train_points=50))
    data = _tiny_cifar(ctx)
    CifarSVC(0).run(ctx)
    ours, x, y = fitted[1]  # the corrected protocol: the clean images
    flat = lambda images: normalize(images).reshape(len(images), -1).numpy()  # noqa: E731
    ref = SVC(kernel="rbf").fit(flat(x), y)
    assert ours.gamma_ == pytest.approx(ref._gamma, rel=1e-12)
    assert np.array_equal(ours.support_, ref.support_)
    assert np.array_equal(ours.predict(data.test_x), ref.predict(flat(data.test_x)))


def _tiny_cifar(ctx, n_train=60, n_test=20):
    """Put a small random CIFAR-10 into ``ctx`` without touching any file."""
    from classlab.data.cifar import Cifar10

    g = torch.Generator().manual_seed(3)
    data = Cifar10(torch.randint(0, 256, (n_train, 3, 32, 32), dtype=torch.uint8, generator=g),
                   torch.arange(n_train) % 10,
                   torch.randint(0, 256, (n_test, 3, 32, 32), dtype=torch.uint8, generator=g),
                   torch.arange(n_test) % 10)
    ctx.__dict__["cifar_full"] = data
    ctx.__dict__["cifar"] = data
    return data
