"""The problem set's models, as plain ``nn.Module``s that follow its listings line for line.

* ``Dense``: listing of 1.3 (3072-256-64-10, ReLU, log-softmax); other ``hidden_sizes`` as the problem set
  invites ("Feel free to change the hidden layer sizes and to add or remove layers").
* ``CNN``: the network that 1.5 describes in words (no softmax: CrossEntropyLoss takes logits).
* ``DeepClassifier``: listing of 2.3, *faithful*: it keeps the listing's two quirks on purpose,
  ``torch.manual_seed(42)`` inside ``__init__`` (which also resets the global generator that
  shuffles the data) and the middle layers in a plain Python list (invisible to
  ``parameters()`` and ``state_dict()``, so they are never trained).
* ``DeepClassifierCorrected``: the same network with ``nn.ModuleList`` and no seeding inside.
"""

import torch
from torch import nn

input_size = 1024
hidden_sizes = [256, 64]
output_size = 10


class Dense(nn.Module):
    """Problem 1.3: fully connected net on flattened 3x32x32 images; layers ``fc1`` ... ``fc<n+1>`` for
    ``n`` hidden sizes (the listing's ``fc1``-``fc3`` by default)."""

    def __init__(self, hidden_sizes=hidden_sizes):
        super().__init__()
        sizes = [3 * input_size, *hidden_sizes, output_size]
        for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]), start=1):
            setattr(self, f"fc{i}", nn.Linear(n_in, n_out))

    def forward(self, x):
        batch_size = x.shape[0]
        x = x.reshape(batch_size, -1)
        *hidden, last = self.children()
        for layer in hidden:
            x = nn.functional.relu(layer(x))
        # Convert output into a categorical probability distribution
        x = nn.functional.log_softmax(last(x), dim=1)
        return x


class CNN(nn.Module):
    """Problem 1.5: conv(5)-SiLU-pool, conv(3)-SiLU-pool, hidden 64 with ReLU, 10 logits."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, kernel_size=5, padding=1)  # 32x32 -> 30x30
        self.pool = nn.MaxPool2d(2, 2)  # -> 15x15, and later 15x15 -> 7x7
        self.conv2 = nn.Conv2d(32, 64, kernel_size=3, padding=1)  # 15x15 -> 15x15
        self.fc1 = nn.Linear(64 * 7 * 7, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(nn.functional.silu(self.conv1(x)))
        x = self.pool(nn.functional.silu(self.conv2(x)))
        x = nn.functional.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


class DeepClassifier(nn.Module):
    """Problem 2.3 as written (faithful): see the module docstring for its two quirks."""

    def __init__(self, n_hidden: int = 1, hidden_dim: int = 32, n_features: int = 2, n_classes: int = 2):
        super().__init__()
        torch.manual_seed(42)
        self.n_hidden = n_hidden
        self.first = nn.Linear(n_features, hidden_dim)
        self.between = [nn.Linear(hidden_dim, hidden_dim) for i in range(self.n_hidden - 1)]
        self.last = nn.Linear(hidden_dim, n_classes)

    def forward(self, x):
        batch_size = x.shape[0]  # noqa: F841 (kept from the listing)
        x = nn.functional.leaky_relu(self.first(x))
        for i in range(self.n_hidden - 1):
            x = nn.functional.leaky_relu(self.between[i](x))
        x = nn.functional.log_softmax(self.last(x), dim=1)
        return x


class DeepClassifierCorrected(DeepClassifier):
    """Problem 2.3 done right: layers registered in ``nn.ModuleList``; the caller seeds."""

    def __init__(self, n_hidden: int = 1, hidden_dim: int = 32, n_features: int = 2, n_classes: int = 2):
        nn.Module.__init__(self)
        self.n_hidden = n_hidden
        self.first = nn.Linear(n_features, hidden_dim)
        self.between = nn.ModuleList(nn.Linear(hidden_dim, hidden_dim) for i in range(self.n_hidden - 1))
        self.last = nn.Linear(hidden_dim, n_classes)


def named_layers(model):
    """A DeepClassifier's layers by name, including the ones a plain list hides from ``state_dict``."""
    return {"first": model.first, "last": model.last} | {f"between.{i}": layer for i, layer in enumerate(model.between)}


def layer_weights(model):
    """Every layer's weight and bias, flattened into one tensor, by name."""
    return {name: torch.cat([layer.weight.detach().flatten(), layer.bias.detach()]).clone()
            for name, layer in named_layers(model).items()}


def count_parameters(model):
    """Number of trainable parameters, as ``sum(p.numel() for p in model.parameters())``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
