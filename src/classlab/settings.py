"""Every setting of the problem set, declared once.

Each field of ``Settings`` carries its whole declaration: default, help, group, check, and whether it
shapes an answer. Everything else derives from it: the command line's flags (``--`` and the field name
with dashes; booleans as ``--x/--no-x``), ``classlab.run``'s keyword arguments, ``--config`` files (the
field names as TOML keys), the banner naming the settings a run changed, ``to_dict``/``from_dict`` and
the manual's table of settings in docs/options.md (``python -m classlab.settings``). The defaults are the problem set's;
``--quick`` starts from ``QUICK`` instead.

Adding a setting is one ``setting(...)`` line here (and its test).
"""

from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from ._setting import AT_LEAST_1, POSITIVE, Check, Setting, setting, unknown_setting
from .errors import ClasslabError

PART1, PART2, COMPUTE, WHAT = "part 1: CIFAR-10", "part 2: the 2-D points", "how to compute", "what to run"
CONFIG_MAX_BYTES = 1 << 20  # a settings file is a few hundred bytes; anything near this is not one


@dataclass(frozen=True)
class Settings:
    # Part 1: CIFAR-10 (problems 1.3-1.8)
    epochs: int = setting(10, "training epochs of the dense net and the CNN (1.4, 1.6)", group=PART1,
                          check=AT_LEAST_1)
    batch_size: int = setting(50, "training batch size of the CIFAR-10 nets (the setup listing's DataLoader)",
                              group=PART1, check=AT_LEAST_1)
    lr: float = setting(1e-3, "Adam's learning rate for the CIFAR-10 nets (1.4, 1.6)", group=PART1, check=POSITIVE)
    dense_hidden_sizes: tuple[int, ...] = setting(
        (256, 64), "hidden layer sizes of the dense net (1.3, 1.4): the listing's hidden_sizes; as many layers as "
        "sizes", group=PART1, check=AT_LEAST_1)
    svc_train_points: int = setting(10_000, "SVC training points: the first N training images (1.7, 1.8)",
                                    group=PART1, check=AT_LEAST_1)
    train_subset: int | None = setting(None, "use only the first N training images", group=PART1,
                                       check=AT_LEAST_1)
    test_subset: int | None = setting(None, "use only the first N test images", group=PART1,
                                      check=AT_LEAST_1)
    eval_batch_size: int = setting(500, "evaluation batch size", group=PART1,
                                   check=AT_LEAST_1, shapes_answer=False)
    learning_curves: bool = setting(True, "evaluate the test set after every epoch, for the learning-curve figures",
                                    group=PART1, shapes_answer=False)
    # Part 2: the 2-D points (problems 2.1-2.4)
    points_epochs: int = setting(100, "training epochs of the part 2 nets (2.3, 2.4)", group=PART2, check=AT_LEAST_1)
    points_batch_size: int = setting(50, "batch size of the part 2 nets (the problem set gives none; as in part 1)",
                                     group=PART2, check=AT_LEAST_1)
    points_lr: float = setting(1e-3, "Adam's learning rate for the part 2 nets (2.3, 2.4)", group=PART2,
                               check=POSITIVE)
    split_test_size: float = setting(0.5, "share of the points in the test set (2.1: split 50:50)", group=PART2,
                                     check=Check(above=0, below=1))
    split_random_state: int = setting(42, "train_test_split's random_state (2.1)", group=PART2, check=Check(minimum=0))
    first_width: int = setting(2, "hidden width of the net of 2.3", group=PART2, check=AT_LEAST_1)
    widths: tuple[int, ...] = setting((2, 4, 8, 16, 32, 64), "hidden widths of the sweep of 2.4", group=PART2,
                                      check=Check(minimum=1, increasing=True))
    target_accuracy: float = setting(0.99, "test accuracy the smallest width must reach (2.4: 0.99 or more)",
                                     group=PART2, check=Check(above=0, maximum=1))
    pitfall_n_hidden: int = setting(3, "hidden layers of the net that measures the plain-list pitfall", group=PART2,
                                    check=Check(minimum=2), shapes_answer=False)
    pitfall_width: int = setting(8, "hidden width of the net that measures the plain-list pitfall", group=PART2,
                                 check=AT_LEAST_1, shapes_answer=False)
    snapshot_epochs: tuple[int, ...] = setting(
        (1, 2, 5, 10, 20, 50), "epochs after which the part 2 nets are kept for the report's sliders (and the last)",
        group=PART2, check=Check(minimum=1, increasing=True), shapes_answer=False)
    # How to compute
    pipeline: str = setting("tensor", "tensor: batched augmentation on uint8 tensors (fast); torchvision: the "
                            "problem set's per-image PIL pipeline (the reference)", group=COMPUTE,
                            choices=("tensor", "torchvision"))
    precision: str = setting("fp32", "fp32: the answers; bf16: bfloat16 autocast for the CIFAR-10 nets, faster on "
                             "CPUs with AVX-512 BF16 or AMX, never the quiz answer", group=COMPUTE,
                             choices=("fp32", "bf16"))
    device: str = setting("auto", "where the nets train; auto: CUDA when present", group=COMPUTE,
                          choices=("auto", "cpu", "cuda"), shapes_answer=False)
    quick: bool = setting(False, "small subset, 1 epoch: checks an installation in 10 s, 20 s the first time (2-core "
                                 "Intel Xeon, CIFAR-10 cached on the first run) (NOT the answers)",
                          group=WHAT, shapes_answer=False)

    def to_dict(self):
        """JSON-ready: lists for the tuples; the keys are the field names."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d, source="settings"):
        """Settings from ``to_dict``'s form, each value checked; a key missing (an older run.json) takes its
        default. One clear line, naming ``source`` and the key, for anything else."""
        unknown = [k for k in d if k not in SETTINGS]
        if unknown:
            raise ClasslabError(f"{source}: {unknown_setting(unknown[0], SETTINGS)}")
        return replace(DEFAULT, **{k: SETTINGS[k].value(v, f"{source}: {k}", strict=True) for k, v in d.items()})


SETTINGS = {f.name: Setting(f) for f in fields(Settings)}
"""Every setting by field name, in declaration order."""


DEFAULT = Settings()
QUICK = replace(DEFAULT, epochs=1, train_subset=2000, test_subset=1000, svc_train_points=1000, points_epochs=20,
                quick=True)


def make(given=(), config=None):
    """Settings from ``given`` ({name: value}: typed, or text as the command line gives it; None: not given)
    over ``config`` (a settings file's values, from ``read_config``): the flags win; ``quick`` picks the base."""
    values = dict(config or {})
    for name, raw in dict(given).items():
        if name not in SETTINGS:
            raise ClasslabError(unknown_setting(name, SETTINGS))
        if raw is not None:
            values[name] = SETTINGS[name].value(raw, SETTINGS[name].flag)
    return replace(QUICK if values.get("quick") else DEFAULT, **values)


def read_config(path):
    """A settings file: TOML with the field names as keys (``epochs = 3``, ``widths = [2, 4]``).

    Returns ``({name: value}, {"path", "content"})``, every value checked; one clear line naming the file
    (and the key) for anything else.
    """
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    path = Path(path)
    try:
        if path.is_dir():
            raise ClasslabError(f"{path}: is a folder, not a settings file")
        if path.stat().st_size > CONFIG_MAX_BYTES:
            raise ClasslabError(f"{path}: is {path.stat().st_size:,} bytes, far larger than a settings file")
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ClasslabError(f"{path}: no such file") from None
    except OSError as err:
        raise ClasslabError(f"{path}: cannot read it ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise ClasslabError(f"{path}: not a settings file (not UTF-8 text)") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ClasslabError(f"{path}: not valid TOML ({err})") from None
    for name in data:
        if name not in SETTINGS:
            raise ClasslabError(f"{path}: {unknown_setting(name, SETTINGS)}")
    values = {name: SETTINGS[name].value(raw, f"{path}: {name}", strict=True) for name, raw in data.items()}
    return values, {"path": str(path), "content": text}


def differences(settings: dict):
    """``{name: (value, problem set's value)}`` for every setting that shapes an answer and differs from DEFAULT."""
    default = DEFAULT.to_dict()
    return {k: (v, default[k]) for k, v in settings.items()
            if k in SETTINGS and SETTINGS[k].shapes_answer and v != default[k]}


def markdown_table():
    """The manual's table of settings (docs/options.md), from the declarations (``python -m classlab.settings`` prints it)."""
    rows = ["| setting (flag; key in a --config file) | default | values | what it is |", "|---|---|---|---|"]
    for s in SETTINGS.values():
        default = "all" if s.default is None else s.show(s.default)
        note = "" if s.shapes_answer else " *(changes no answer)*"
        rows.append(f"| `{s.flag}` | `{default}` | {s.describe()} | {s.help}{note} |")
    return "\n".join(rows)


__all__ = ["Settings", "Setting", "SETTINGS", "DEFAULT", "QUICK", "make", "read_config", "differences",
           "markdown_table"]


if __name__ == "__main__":
    print(markdown_table())
