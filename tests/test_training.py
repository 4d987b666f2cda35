"""The training loop (its history, learning rate, optimizer, checkpoints and resume; layout work that may change
how tensors are laid out, never a value; the bf16 option) and evaluation."""

import re

import pytest
import torch
from torch import nn

from classlab import training
from classlab.data.batches import TensorBatches
from classlab.errors import ClasslabError
from classlab.models import CNN, Dense


def _cnn_batch(seed=0):
    torch.manual_seed(seed)
    model = CNN().to(memory_format=torch.channels_last)
    x = torch.randn(4, 3, 32, 32).contiguous(memory_format=torch.channels_last)
    return model, x, torch.arange(4) % 10


def _pool_gradient_layouts(model, x, y):
    """Run a step; return, for each max-pool call, whether the gradient that reached its output was channels-last."""
    layouts = []

    def record(module, inputs, output):
        output.register_hook(lambda g: layouts.append(g.is_contiguous(memory_format=torch.channels_last)))

    handle = model.pool.register_forward_hook(record)
    nn.CrossEntropyLoss()(model(x), y).backward()
    handle.remove()
    return layouts


def test_gradients_reach_max_pool_in_channels_last():
    model, x, y = _cnn_batch()
    # Without it, the flatten before fc1 hands the second pool an NCHW gradient (what costs the copies).
    assert _pool_gradient_layouts(model, x, y) == [False, True]
    with training.channels_last_gradients(model):
        assert _pool_gradient_layouts(model, x, y) == [True, True]
    assert _pool_gradient_layouts(model, x, y) == [False, True]  # and it leaves no hook behind


def test_channels_last_gradients_change_no_value():
    model, x, y = _cnn_batch()
    nn.CrossEntropyLoss()(model(x), y).backward()
    plain = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    with training.channels_last_gradients(model):
        nn.CrossEntropyLoss()(model(x), y).backward()
    for p, g in zip(model.parameters(), plain):
        assert torch.equal(p.grad, g)


def test_fit_keeps_gradients_channels_last_for_convolutional_nets_only(monkeypatch):
    entered, real = [], training.channels_last_gradients

    def spy(model):
        entered.append(model)
        return real(model)

    monkeypatch.setattr(training, "channels_last_gradients", spy)
    for model in (CNN(), Dense()):
        x, y = torch.randn(4, 3, 32, 32), torch.arange(4)
        training.fit(model, nn.CrossEntropyLoss(), [(x, y)], epochs=1)
        assert not any(m._forward_hooks for m in model.modules())
    assert len(entered) == 1 and isinstance(entered[0], CNN)
    cnn, layouts = entered[0], []
    assert cnn.conv1.weight.is_contiguous(memory_format=torch.channels_last)  # the CNN trains channels-last
    cnn.conv1.register_forward_pre_hook(lambda m, inputs: layouts.append(inputs[0].is_contiguous(
        memory_format=torch.channels_last)))
    training.fit(cnn, nn.CrossEntropyLoss(), [(torch.randn(4, 3, 32, 32), torch.arange(4))], epochs=1)
    assert layouts == [True]  # and so do its NCHW batches


@pytest.mark.parametrize("fused", [True, False])
def test_fit_takes_its_learning_rate(fused):
    """Adam's first step moves every weight with a gradient by about ``lr`` (the update is lr * m / sqrt(v))."""
    for lr in (0.05, 0.002):
        torch.manual_seed(0)
        model = nn.Linear(3, 2)
        before = model.weight.detach().clone()
        training.fit(model, nn.CrossEntropyLoss(), [(torch.randn(8, 3), torch.arange(8) % 2)], 1, lr=lr, fused=fused)
        torch.testing.assert_close((model.weight.detach() - before).abs(), torch.full((2, 3), lr), rtol=1e-3, atol=0)


def test_bf16_autocast_is_on_and_close_to_fp32():
    """--precision bf16: forward and loss under bfloat16 autocast, weights and Adam in float32."""
    x, y = torch.randn(16, 3, 32, 32), torch.arange(16) % 10
    losses, weights = {}, {}
    for precision in ("fp32", "bf16"):
        torch.manual_seed(0)
        model = CNN()
        dtypes = set()
        model.conv1.register_forward_hook(lambda module, inputs, output: dtypes.add(output.dtype))
        losses[precision] = training.fit(model, nn.CrossEntropyLoss(), [(x, y)], epochs=3, precision=precision).train_loss
        weights[precision] = model.conv1.weight.detach()
        assert weights[precision].dtype == torch.float32
        assert dtypes == {torch.bfloat16 if precision == "bf16" else torch.float32}
    assert losses["bf16"] != losses["fp32"]  # autocast really ran
    torch.testing.assert_close(losses["bf16"], losses["fp32"], rtol=0.02, atol=0.02)
    assert losses["bf16"][-1] < losses["bf16"][0]


def test_evaluate_scores_every_example_once():
    """Accuracy and mean loss over all examples, whatever the batches' sizes (an uneven last one here)."""
    torch.manual_seed(0)
    model, x, y = nn.Linear(4, 3), torch.randn(23, 4), torch.randint(0, 3, (23,))
    model.train()
    ev = training.evaluate(model, [(x[i:i + 10], y[i:i + 10]) for i in range(0, 23, 10)], nn.CrossEntropyLoss())
    with torch.no_grad():
        out = model(x)
    assert not model.training
    assert torch.equal(ev.predictions, out.argmax(1)) and torch.equal(ev.labels, y)
    assert 0 < ev.accuracy < 1 and ev.accuracy == pytest.approx(float((out.argmax(1) == y).double().mean()))
    assert ev.loss == pytest.approx(float(nn.functional.cross_entropy(out, y)), rel=1e-6)
    assert training.evaluate(model, [(x, y)]).loss == 0  # no loss function, no loss


def test_evaluate_runs_the_cnn_as_trained():
    """Channels-last (and bf16 autocast) are how the CNN is computed, not what it predicts."""
    model, x, y = _cnn_batch()
    x = x.contiguous()
    with torch.no_grad():
        expected = model(x).argmax(1)
    assert torch.equal(training.evaluate(model, [(x, y)]).predictions, expected)
    bf16 = training.evaluate(model, [(x, y)], nn.CrossEntropyLoss(), precision="bf16")
    assert bf16.predictions.dtype == torch.int64 and bf16.loss > 0


def _train(epochs, checkpoint=None):
    """A fresh process's view: model and generator made from their seeds, then ``fit`` (which resumes)."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.Dropout(0.5), nn.Linear(8, 2))  # dropout: torch's global generator
    generator = torch.Generator().manual_seed(1)  # the batches' order
    x, y = torch.randn(12, 3, generator=torch.Generator().manual_seed(2)), torch.arange(12) % 2
    history = training.fit(model, nn.CrossEntropyLoss(), TensorBatches(x, y, 4, generator, transform=None), epochs,
                           generators=[generator], checkpoint=checkpoint,
                           after_epoch=lambda epoch, m: {"weight_sum": float(m[0].weight.detach().sum())})
    return model, history, generator.get_state(), torch.get_rng_state()


def test_fit_resumes_from_its_checkpoint_bit_for_bit(tmp_path):
    """Stopped after 2 of 3 epochs and started again: the same weights, curves and generators as one go."""
    model, history, generator, global_rng = _train(3)
    checkpoint = tmp_path / "net.pt"
    _train(2, checkpoint)
    assert torch.load(checkpoint, weights_only=True)["epoch"] == 2
    resumed, resumed_history, resumed_generator, resumed_global_rng = _train(3, checkpoint)
    for a, b in zip(model.parameters(), resumed.parameters()):
        assert torch.equal(a, b)
    for name in ("train_loss", "train_accuracy", "curves"):
        assert getattr(resumed_history, name) == getattr(history, name)
    assert len(resumed_history.train_loss) == len(resumed_history.epoch_seconds) == 3
    assert torch.equal(resumed_generator, generator) and torch.equal(resumed_global_rng, global_rng)
    _train(3, checkpoint)  # finished: nothing left to train
    assert torch.load(checkpoint, weights_only=True)["epoch"] == 3


_UNPICKLED = []


def _record_unpickling():
    _UNPICKLED.append(True)


class _Payload:
    def __reduce__(self):
        return _record_unpickling, ()


@pytest.mark.parametrize("content", ["garbage", "code"])
def test_fit_refuses_an_unusable_checkpoint_and_runs_no_code_from_it(tmp_path, content):
    checkpoint = tmp_path / "net.pt"
    if content == "garbage":
        checkpoint.write_bytes(b"not a checkpoint")
    else:
        torch.save({"model": _Payload()}, checkpoint)
    with pytest.raises(ClasslabError, match=rf"^{re.escape(str(checkpoint))}: not a usable checkpoint \(\w+Error\); "
                                            "delete it to train this model afresh$"):
        _train(1, checkpoint)
    assert _UNPICKLED == []


def test_fit_history_is_each_epochs_mean_loss_and_accuracy():
    """Per epoch: the loss averaged over examples (batches of unequal size), the share of correct
    predictions, its seconds, and what ``after_epoch`` returned; progress after every batch. With lr=0
    the weights stay put, so these equal one fp32 pass over the data (fp32 unless asked otherwise)."""
    torch.manual_seed(0)
    model, x, y = nn.Linear(4, 3), torch.randn(12, 4), torch.randint(0, 3, (12,))
    calls = []
    history = training.fit(model, nn.CrossEntropyLoss(), [(x[:5], y[:5]), (x[5:], y[5:])], 2, lr=0.0,
                           after_epoch=lambda epoch, m: {"epoch": epoch, "half": epoch / 2},
                           progress=lambda *args: calls.append(args))
    with torch.no_grad():
        out = model(x)
    loss, accuracy = float(nn.functional.cross_entropy(out, y)), float((out.argmax(1) == y).double().mean())
    assert 0 < accuracy < 1
    assert history.train_loss == pytest.approx([loss, loss], rel=1e-6)
    assert history.train_accuracy == [accuracy, accuracy]
    assert len(history.epoch_seconds) == 2 and all(0 <= t < 60 for t in history.epoch_seconds)
    assert history.curves == {"epoch": [0, 1], "half": [0, 0.5]}
    assert history.to_dict() == {"train_loss": history.train_loss, "train_accuracy": history.train_accuracy,
                                 "epoch_seconds": history.epoch_seconds, "epoch": [0, 1], "half": [0, 0.5]}
    assert calls == [(0, 1, 2), (0, 2, 2), (1, 1, 2), (1, 2, 2)]


def test_fit_builds_adam_fused_or_as_the_listings_do(monkeypatch):
    built, real = [], torch.optim.Adam

    def spy(params, **kwargs):
        built.append(kwargs)
        return real(params, **kwargs)

    monkeypatch.setattr(training.optim, "Adam", spy)
    data = [(torch.randn(4, 2), torch.arange(4) % 2)]
    training.fit(nn.Linear(2, 2), nn.CrossEntropyLoss(), data, 1, lr=0.01)
    training.fit(nn.Linear(2, 2), nn.CrossEntropyLoss(), data, 1, lr=0.01, fused=False)
    assert built == [{"lr": 0.01, "fused": True}, {"lr": 0.01}]  # the listings: optim.Adam(params, lr=lr)


def test_seed_everything_seeds_torch_numpy_and_random():
    import random

    import numpy as np

    generator = training.seed_everything(5)
    drawn = (torch.rand(2), np.random.rand(2), random.random(), torch.rand(2, generator=generator))
    torch.manual_seed(5)
    np.random.seed(5)
    random.seed(5)
    assert torch.equal(drawn[0], torch.rand(2)) and np.array_equal(drawn[1], np.random.rand(2))
    assert drawn[2] == random.random()
    assert torch.equal(drawn[3], torch.rand(2, generator=torch.Generator().manual_seed(5)))
