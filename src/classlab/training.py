"""Training and evaluation loops. They know models, losses and batches, nothing of questions."""

import contextlib
import time
from dataclasses import dataclass, field

import torch
from torch import nn, optim

from ._atomic import torch_save
from .errors import ClasslabError


@dataclass
class History:
    """Per-epoch curves of one training run: training loss and accuracy (during the epoch), seconds,
    and whatever ``after_epoch`` measured (``curves``: name -> one value per epoch it reported)."""

    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    epoch_seconds: list = field(default_factory=list)
    curves: dict = field(default_factory=dict)

    def to_dict(self):
        return {"train_loss": self.train_loss, "train_accuracy": self.train_accuracy,
                "epoch_seconds": self.epoch_seconds, **self.curves}


def seed_everything(seed, device="cpu"):
    """Seed torch, numpy and random with ``seed``; return a generator of the data's own on ``device``."""
    import random

    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator(device=device).manual_seed(seed)


def uses_channels_last(model, device):
    """Convolutions on the CPU run markedly faster in channels-last layout (measured in benchmarks/)."""
    return torch.device(device).type == "cpu" and any(isinstance(m, nn.Conv2d) for m in model.modules())


def _layout(x, channels_last):
    return x.contiguous(memory_format=torch.channels_last) if channels_last and x.dim() == 4 else x


def _to_channels_last(grad):
    return grad.contiguous(memory_format=torch.channels_last)


@contextlib.contextmanager
def channels_last_gradients(model):
    """While active, the gradient that reaches a channels-last activation is made channels-last too.

    ``flatten`` before the first linear layer hands its gradient back in NCHW order; max-pool's
    backward would then convert its input and result, two copies that made it 4x slower than with
    channels-last gradients (benchmarks/). Only the layout changes: the same values, bit for bit.
    """
    def keep_layout(module, inputs, output):
        if (isinstance(output, torch.Tensor) and output.requires_grad and output.dim() == 4
                and output.is_contiguous(memory_format=torch.channels_last)):
            output.register_hook(_to_channels_last)

    handles = [m.register_forward_hook(keep_layout) for m in model.modules() if next(m.children(), None) is None]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def _autocast(device, precision):
    if precision == "fp32":
        return contextlib.nullcontext()
    return torch.autocast(torch.device(device).type, dtype=torch.bfloat16)


def fit(model, loss_fn, train_batches, epochs, lr=1e-3, after_epoch=None, generators=(),
        checkpoint=None, progress=None, precision="fp32", fused=True):
    """Train ``model`` with Adam(lr) on ``train_batches`` for ``epochs`` epochs; return its History.

    ``after_epoch(epoch, model)`` (optional) is called after every epoch and returns values to
    record, ``{name: value}`` (learning curves, snapshots); it must draw no random numbers from
    the training's generators, so that measuring never changes the trained result.
    ``checkpoint`` (a path) is written after every epoch with everything needed to resume
    bit for bit: model, optimizer, epoch, history and the states of ``generators`` (the
    data's generator; torch's global one is always included). If it exists, training resumes.
    ``progress(epoch, batch, n_batches)`` is called as training goes. ``precision="bf16"``
    runs forward and loss under bfloat16 autocast (weights and optimizer stay float32).
    ``fused=False`` builds the optimizer exactly as the listings do, ``optim.Adam(params, lr=lr)``
    (the fused kernel computes the same update, rounded differently).
    """
    device = next(model.parameters()).device
    channels_last = uses_channels_last(model, device)
    if channels_last:
        model.to(memory_format=torch.channels_last)
    optimizer = optim.Adam(model.parameters(), lr=lr, fused=True) if fused else optim.Adam(model.parameters(), lr=lr)
    history, start = History(), 0
    if checkpoint is not None and checkpoint.exists():
        try:  # weights_only: a checkpoint can hold tensors, never code
            state = torch.load(checkpoint, weights_only=True)
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            history = History(**state["history"])
            start = state["epoch"]
            torch.set_rng_state(state["torch_rng"])
            for gen, gen_state in zip(generators, state["generators"]):
                gen.set_state(gen_state)
        except Exception as err:
            raise ClasslabError(f"{checkpoint}: not a usable checkpoint ({type(err).__name__}); "
                                "delete it to train this model afresh") from None
    with channels_last_gradients(model) if channels_last else contextlib.nullcontext():
        for epoch in range(start, epochs):
            t0 = time.perf_counter()
            model.train()
            total_loss = correct = seen = 0
            for b, (x, y) in enumerate(train_batches):
                optimizer.zero_grad(set_to_none=True)
                with _autocast(device, precision):
                    out = model(_layout(x, channels_last))
                    loss = loss_fn(out, y)
                loss.backward()
                optimizer.step()
                total_loss += loss.detach() * len(y)
                correct += (out.detach().argmax(1) == y).sum()
                seen += len(y)
                if progress is not None:
                    progress(epoch, b + 1, len(train_batches))
            history.train_loss.append(float(total_loss) / seen)
            history.train_accuracy.append(int(correct) / seen)
            history.epoch_seconds.append(time.perf_counter() - t0)
            for name, value in (after_epoch(epoch, model) if after_epoch is not None else {}).items():
                history.curves.setdefault(name, []).append(value)
            if checkpoint is not None:
                torch_save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                            "epoch": epoch + 1, "history": history.__dict__,
                            "torch_rng": torch.get_rng_state(),
                            "generators": [g.get_state() for g in generators]}, checkpoint)
    return history


@dataclass
class Evaluation:
    accuracy: float
    loss: float
    predictions: torch.Tensor
    labels: torch.Tensor


@torch.no_grad()
def evaluate(model, batches, loss_fn=None, precision="fp32"):
    """Accuracy (and mean loss) of ``model`` over ``batches``, with its predictions."""
    model.eval()
    device = next(model.parameters()).device
    channels_last = uses_channels_last(model, device)
    preds, labels, total_loss = [], [], 0.0
    for x, y in batches:
        with _autocast(device, precision):
            out = model(_layout(x, channels_last)).float()
        if loss_fn is not None:
            total_loss += float(loss_fn(out, y)) * len(y)
        preds.append(out.argmax(1))
        labels.append(y)
    preds, labels = torch.cat(preds).cpu(), torch.cat(labels).cpu()
    return Evaluation(accuracy=float((preds == labels).double().mean()),
                      loss=total_loss / len(labels), predictions=preds, labels=labels)
