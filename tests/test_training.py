"""The training loop's layout work: it may change how tensors are laid out, never a value."""

import torch
from torch import nn

from classlab import training
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
