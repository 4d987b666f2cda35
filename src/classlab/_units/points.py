"""The units of part 2: the points (for figures), logistic regression, one DeepClassifier."""

from dataclasses import dataclass

import torch
from torch import nn

from ..data.batches import listing_loader
from ..models import count_parameters, layer_weights
from .._protocols import CORRECTED, points_net
from ..training import evaluate, fit
from .base import Unit, quiet


@dataclass(frozen=True)
class PointsFacts(Unit):
    """The points and the 50:50 split, for the figures (and the source, for the record)."""

    stage = 0
    needs = "points"

    @property
    def key(self):
        return "points-facts"

    @property
    def label(self):
        return "the 2-D points"

    def cost(self, settings):
        return 0.01

    def run(self, ctx, report=quiet):
        pts, split = ctx.points, ctx.points_split
        return {"source": pts.source, "n": len(pts.y), "features": pts.X.shape[1], "classes": pts.n_classes,
                "X": pts.X.tolist(), "y": pts.y.tolist(), "train_mask": split[4].tolist()}


@dataclass(frozen=True)
class PointsLogReg(Unit):
    """Logistic regression on the 50:50 split. Deterministic: no seed."""

    stage = 2
    needs = "points"

    @property
    def key(self):
        return "logreg"

    @property
    def label(self):
        return "logistic regression"

    def cost(self, settings):
        return 0.05

    def run(self, ctx, report=quiet):
        from sklearn.linear_model import LogisticRegression

        X_train, X_test, y_train, y_test, _ = ctx.points_split
        model = LogisticRegression().fit(X_train, y_train)
        return {"accuracy": float(model.score(X_test, y_test)),
                "coef": model.coef_.tolist(), "intercept": model.intercept_.tolist()}


@dataclass(frozen=True)
class PointsNet(Unit):
    """Train one DeepClassifier on the 50:50 split."""

    protocol: str  # faithful | corrected
    n_hidden: int
    hidden_dim: int
    seed: int
    stage = 2
    needs = "points"

    @property
    def key(self):
        return f"points-{self.protocol}-h{self.n_hidden}-w{self.hidden_dim}-seed{self.seed}"

    @property
    def label(self):
        return (f"DeepClassifier {self.protocol} width {self.hidden_dim}" + (f" x{self.n_hidden}" if self.n_hidden > 1
                                                                              else "") + f" seed {self.seed}")

    def cost(self, settings):
        return 0.005 * settings.points_epochs

    def run(self, ctx, report=quiet):
        s = ctx.settings
        X_train, X_test, y_train, y_test, _ = ctx.points_split
        model, generator = points_net(self.protocol, self.seed, n_hidden=self.n_hidden, hidden_dim=self.hidden_dim,
                                      n_features=X_train.shape[1], n_classes=ctx.points.n_classes)
        before = layer_weights(model)
        X_train, X_test = torch.as_tensor(X_train, dtype=torch.float32), torch.as_tensor(X_test, dtype=torch.float32)
        y_train, y_test = torch.as_tensor(y_train), torch.as_tensor(y_test)
        # The listing's loop: DataLoader(shuffle=True) and optim.Adam(model.parameters(), lr=0.001), so
        # that faithful numbers equal a student's bit for bit (tests/test_listing.py runs the listing).
        # The corrected nets, bound to no listing, take Adam's fused kernel (the same update, faster).
        train = listing_loader(X_train, y_train, s.points_batch_size, generator)

        def snapshot(epoch, model):  # the net as it was after a few epochs, for the report's sliders
            if epoch + 1 not in s.snapshot_epochs and epoch + 1 != s.points_epochs:
                return {}
            return {"snapshots": {"epoch": epoch + 1, "accuracy": evaluate(model, [(X_test, y_test)]).accuracy,
                                  "weights": {k: v.tolist() for k, v in layer_weights(model).items()}}}

        history = fit(model, nn.NLLLoss(), train, s.points_epochs, s.points_lr, after_epoch=snapshot,
                      fused=self.protocol == CORRECTED)
        test = evaluate(model, [(X_test, y_test)])
        after = layer_weights(model)
        middle = [f"between.{i}" for i in range(self.n_hidden - 1)]
        return {
            "snapshots": history.curves["snapshots"],
            "protocol": self.protocol, "n_hidden": self.n_hidden, "hidden_dim": self.hidden_dim, "seed": self.seed,
            "accuracy": test.accuracy, "final_train_loss": history.train_loss[-1],
            "parameters": count_parameters(model),
            "middle_layers_unchanged": [bool(torch.equal(before[m], after[m])) for m in middle],
            "middle_layers_in_state_dict": [any(k.startswith(m + ".") for k in model.state_dict()) for m in middle],
            "weights": {k: v.tolist() for k, v in after.items()},
        }
