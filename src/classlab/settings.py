"""Every setting that shapes an answer, in one visible place.

The defaults are the problem set's; ``--quick`` swaps in ``QUICK`` to check an installation.
"""

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class Settings:
    # Part 1: CIFAR-10 (problems 1.4, 1.6, 1.7)
    epochs: int = 10
    batch_size: int = 50
    lr: float = 1e-3
    eval_batch_size: int = 500  # evaluation only; no effect on results (small enough to reuse its memory)
    svc_train_points: int = 10_000  # "use only the first 10k points from the training set"
    train_subset: int | None = None  # None: all 50,000
    test_subset: int | None = None  # None: all 10,000
    pipeline: str = "tensor"  # tensor (batched, fast) | torchvision (per image, the reference)
    precision: str = "fp32"  # fp32 (the answers) | bf16 (autocast; faster on CPUs with AVX-512 BF16, not the answers)
    learning_curves: bool = True  # evaluate the clean test set after every epoch, for the figures
    # Part 2: 2-D points (problems 2.1-2.4)
    points_epochs: int = 100
    points_batch_size: int = 50  # the problem set gives none; 50 as in part 1
    points_lr: float = 1e-3
    split_test_size: float = 0.5
    split_random_state: int = 42
    first_width: int = 2  # problem 2.3
    widths: tuple = (2, 4, 8, 16, 32, 64)  # problem 2.4
    target_accuracy: float = 0.99  # problem 2.4
    pitfall_n_hidden: int = 3  # the plain-list pitfall, measured on a deeper net
    pitfall_width: int = 8
    snapshot_epochs: tuple = (1, 2, 5, 10, 20, 50)  # part 2 nets saved then (and at the end) for the report's sliders
    # Where it runs (no effect on the answers' definitions)
    device: str = "cpu"
    quick: bool = False

    def to_dict(self):
        d = asdict(self)
        d["widths"], d["snapshot_epochs"] = list(self.widths), list(self.snapshot_epochs)
        return d

    @classmethod
    def from_dict(cls, d):
        d = dict(d)
        d["widths"] = tuple(d["widths"])
        d["snapshot_epochs"] = tuple(d.get("snapshot_epochs", cls.snapshot_epochs))
        return cls(**d)


DEFAULT = Settings()
# Settings that change no answer: how evaluation is batched, the learning curves, where it runs, and
# the extra net on which the plain-list pitfall is measured.
NO_EFFECT = frozenset({"eval_batch_size", "learning_curves", "device", "quick", "pitfall_n_hidden", "pitfall_width",
                       "snapshot_epochs"})


def differences(settings: dict):
    """``{name: (value, problem set's value)}`` for every setting that shapes an answer and differs from DEFAULT."""
    default = DEFAULT.to_dict()
    return {k: (v, default[k]) for k, v in settings.items()
            if k in default and k not in NO_EFFECT and v != default[k]}
QUICK = replace(DEFAULT, epochs=1, train_subset=2000, test_subset=1000, svc_train_points=1000,
                points_epochs=20, quick=True)
