"""Faithful means the listing's own numbers: part 2's code as a student runs it, verbatim, against
classlab's faithful answers, bit for bit.

The listing pins its own seed (``torch.manual_seed(42)`` in ``DeepClassifier.__init__``), so a
student who runs it gets exact numbers; classlab's faithful 2.3, 2.4 and plain-list pitfall must
be those numbers. The code below is the problem set's listing of 2.3 and the training loop it asks
for ("the same settings as in problem 1.4 regarding loss function and optimizer"): a DataLoader with
shuffle=True, ``nn.NLLLoss()``, ``optim.Adam(model.parameters(), lr=0.001)``.
"""

import json

import numpy as np
import pytest
import torch
from sklearn.model_selection import train_test_split
from torch import nn, optim

from classlab.data.points import embedded_paths
from conftest import run_cli

EPOCHS = 10  # short: the same code path as the problem set's 100 epochs, ten times faster
BATCH_SIZE = 50  # the problem set gives none for part 2; classlab's default, as in part 1
X_PATH, Y_PATH = embedded_paths()  # classlab's X_classification.npy and y_classification.npy


# ---------------------------------------------------------------- the problem set's listing, verbatim
class DeepClassifier(nn.Module):
    def __init__(self, n_hidden: int = 1, hidden_dim: int = 32):
        super().__init__()
        torch.manual_seed(42)
        self.n_hidden = n_hidden
        self.first = nn.Linear(2, hidden_dim)
        self.between = [nn.Linear(hidden_dim, hidden_dim) for i in range(self.n_hidden - 1)]
        self.last = nn.Linear(hidden_dim, 2)

    def forward(self, x):
        batch_size = x.shape[0]  # noqa: F841
        x = nn.functional.leaky_relu(self.first(x))
        for i in range(self.n_hidden - 1):
            x = nn.functional.leaky_relu(self.between[i](x))
        x = nn.functional.log_softmax(self.last(x), dim=1)
        return x


def listing_run(n_hidden, hidden_dim, epochs=EPOCHS):
    """What a student's script does for one net: returns (correct test predictions, n test, weights)."""
    X, y = np.load(X_PATH), np.load(Y_PATH)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=42)
    train_loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train)),
        batch_size=BATCH_SIZE, shuffle=True)
    model = DeepClassifier(n_hidden=n_hidden, hidden_dim=hidden_dim)
    criterion = nn.NLLLoss()
    optimizer = optim.Adam(model.parameters(), lr=0.001)
    for epoch in range(epochs):
        for x, labels in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(x), labels)
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        predicted = model(torch.tensor(X_test, dtype=torch.float32)).argmax(dim=1)
    correct = int((predicted == torch.tensor(y_test)).sum())
    layers = {"first": model.first, "last": model.last} | {f"between.{i}": m for i, m in enumerate(model.between)}
    weights = {k: torch.cat([m.weight.detach().flatten(), m.bias.detach()]).tolist() for k, m in layers.items()}
    return correct, len(y_test), weights
# ---------------------------------------------------------------- end of the listing


@pytest.mark.parametrize("n_hidden,width", [(1, 2), (1, 8), (3, 8)])
def test_faithful_unit_equals_the_listing_bitwise(n_hidden, width):
    from dataclasses import replace

    from classlab.settings import DEFAULT
    from classlab._context import Context
    from classlab._units import PointsNet

    torch.manual_seed(1234)  # whatever state the global generator is in: the listing reseeds it
    ours = PointsNet("faithful", n_hidden, width, 42).run(Context(replace(DEFAULT, points_epochs=EPOCHS)))
    correct, n, weights = listing_run(n_hidden, width)
    assert ours["weights"] == weights
    assert ours["accuracy"] == correct / n


def test_every_faithful_part2_number_equals_the_listing(tmp_path):
    """The whole answer sheet's faithful part 2, from the command line, against the listing run per net."""
    code, _, err = run_cli("run", "--only", "2.3,2.4", "--points-epochs", EPOCHS, "--out", tmp_path / "o")
    assert code == 0, err
    doc = json.loads((tmp_path / "o" / "answers.json").read_text())
    widths = doc["config"]["settings"]["widths"]
    listing = {w: listing_run(1, w) for w in widths}
    accuracy = {w: correct / n for w, (correct, n, _) in listing.items()}
    assert doc["answers"]["2.3"]["value"] == accuracy[doc["config"]["settings"]["first_width"]]
    assert doc["answers"]["2.4"]["details"]["table"]["faithful"] == [accuracy[w] for w in widths]
    smallest = min((w for w in widths if accuracy[w] >= 0.99), default="none")
    assert doc["answers"]["2.4"]["value"] == smallest
    (plain_list,) = [p for p in doc["pitfalls"] if p["id"] == "plain-list-layers"]
    correct, n, _ = listing_run(3, 8)
    assert plain_list["faithful"]["accuracy"] == correct / n
