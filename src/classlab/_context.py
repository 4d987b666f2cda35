"""What the units of one run read: its settings and the paths of its inputs.

The data are loaded lazily and kept per process. A ``Context`` pickles to its settings and paths
only, so a worker process or a Ray task on another machine rebuilds the data from the same
sources (the tensor cache makes that a second's work) instead of receiving them.
"""

from dataclasses import dataclass
from functools import cached_property

from ._folder import RunFolder
from .settings import DEFAULT, Settings


@dataclass(frozen=True)
class Inputs:
    """Where a run's data come from (``None``: the defaults, see the README's Data section)."""

    cifar: str | None = None
    data_dir: str | None = None
    points_x: str | None = None
    points_y: str | None = None
    skip_bad_images: bool = False


class Context:
    """Settings, inputs and (optionally) the run folder, with the data loaded on first use."""

    def __init__(self, settings: Settings = DEFAULT, inputs: Inputs = Inputs(), out_dir=None):
        self.settings, self.inputs = settings, inputs
        self.folder = RunFolder(out_dir) if out_dir is not None else None

    def __getstate__(self):
        return {"settings": self.settings, "inputs": self.inputs, "folder": self.folder}

    def __setstate__(self, state):
        self.__dict__.update(state)

    @property
    def device(self):
        import torch

        return torch.device(resolve_device(self.settings.device))

    @cached_property
    def cifar_full(self):
        """All of CIFAR-10 as uint8 tensors on the CPU (``classlab.data.cifar.Cifar10``)."""
        from .data.cifar import load_cifar10

        i = self.inputs
        return load_cifar10(i.cifar, i.data_dir, skip_bad_images=i.skip_bad_images)

    @cached_property
    def cifar(self):
        """The part the questions use (a prefix under ``--train-subset``/``--test-subset``), on the run's device."""
        s = self.settings
        data = self.cifar_full.subset(s.train_subset, s.test_subset)
        for name in ("train_x", "train_y", "test_x", "test_y"):
            setattr(data, name, getattr(data, name).to(self.device))
        return data

    @cached_property
    def points(self):
        from .data.points import load_points

        return load_points(self.inputs.points_x, self.inputs.points_y)

    @cached_property
    def points_split(self):
        """The problem set's 50:50 split: (X_train, X_test, y_train, y_test, train_mask)."""
        import numpy as np
        from sklearn.model_selection import train_test_split

        s, X, y = self.settings, self.points.X, self.points.y
        i_train, i_test = train_test_split(np.arange(len(y)), test_size=s.split_test_size,
                                           random_state=s.split_random_state)
        mask = np.zeros(len(y), dtype=bool)
        mask[i_train] = True
        return X[i_train], X[i_test], y[i_train], y[i_test], mask

    def checkpoint(self, key):
        """Where a unit checkpoints its training (``None`` without a run folder)."""
        if self.folder is None:
            return None
        path = self.folder.checkpoint(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


def resolve_device(choice):
    """``auto`` as CUDA where torch sees a GPU, else the CPU; ``cpu`` and ``cuda`` as they are."""
    import torch

    if choice == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return choice
