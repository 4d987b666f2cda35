"""The 2-D classification data of part 2: the embedded default pair, and a user's own pair.

Problem set 10 loads ``X_classification.npy`` and ``y_classification.npy``, which are not
public. classlab ships its own pair under the same names (``classlab/data/``), made by
``make_points`` with a fixed seed (``python -m classlab.data.points`` writes them again):
a disc of class 0 inside a ring of class 1 with a gap between them. No straight line
separates a disc from the ring around it, so logistic regression stays near the share of
the larger class; a hidden layer of width 2 can only cut the plane into a wedge, not an
enclosure; from about width 4 on a network can draw a closed polygon around the disc.
"""

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import DataError

SEED = 20241216  # the problem set's due date
N_POINTS = 1000
X_NAME, Y_NAME = "X_classification.npy", "y_classification.npy"


def make_points(n=N_POINTS, seed=SEED):
    """A disc (class 0, radius <= 1) inside a ring (class 1, radius 1.3-2.3), shuffled.

    Returns X float64 (n, 2) and y int64 (n,).
    """
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    radius = np.where(y == 0, np.sqrt(rng.uniform(0.0, 1.0, n)), rng.uniform(1.3, 2.3, n))
    angle = rng.uniform(0.0, 2 * np.pi, n)
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    order = rng.permutation(n)
    return X[order].astype(np.float64), y[order].astype(np.int64)


@dataclass
class Points:
    X: np.ndarray
    y: np.ndarray
    source: str

    @property
    def n_classes(self):
        return int(self.y.max()) + 1


def embedded_paths():
    folder = resources.files("classlab.data")
    return Path(folder / X_NAME), Path(folder / Y_NAME)


def load_points(x_path=None, y_path=None):
    """Load and check a pair of .npy files (default: the embedded pair).

    Never unpickles (``allow_pickle=False``). Labels may be any integers or bools; they
    are mapped to 0..K-1 in sorted order. Raises DataError naming the file and the problem.
    """
    if (x_path is None) != (y_path is None):
        raise DataError(x_path or y_path, "give both --points-x and --points-y")
    source = "embedded"
    if x_path is None:
        x_path, y_path = embedded_paths()
    else:
        source = f"{x_path} + {y_path}"
    X, y = _load_npy(x_path), _load_npy(y_path)
    if X.ndim != 2:
        raise DataError(x_path, f"X must be 2-dimensional (samples x features), got shape {X.shape}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise DataError(x_path, f"X is empty (shape {X.shape})")
    if X.dtype.kind not in "biuf":
        raise DataError(x_path, f"X must hold numbers, got dtype {X.dtype}")
    X = X.astype(np.float64)
    if not np.isfinite(X).all():
        raise DataError(x_path, "X holds NaN or infinite values")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise DataError(y_path, f"y must be 1-dimensional, got shape {y.shape}")
    if len(y) != len(X):
        raise DataError(y_path, f"y has {len(y)} labels but X has {len(X)} rows")
    if y.dtype.kind == "f":
        if not np.isfinite(y).all() or not np.all(y == np.round(y)):
            raise DataError(y_path, "labels must be integers (or bools), got non-integer values")
    elif y.dtype.kind not in "biu":
        raise DataError(y_path, f"labels must be integers (or bools), got dtype {y.dtype}")
    classes, y = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise DataError(y_path, f"needs at least 2 classes, found only {classes.tolist()}")
    if len(X) < 4:
        raise DataError(x_path, f"needs at least 4 points to split 50:50, got {len(X)}")
    return Points(X=X, y=y.astype(np.int64), source=source)


def _load_npy(path):
    path = Path(path)
    if not path.is_file():
        raise DataError(path, "no such file")
    try:
        with open(path, "rb") as f:
            magic = f.read(6)
            if not magic:
                raise DataError(path, "is empty")
            if magic != b"\x93NUMPY":
                raise DataError(path, "not a .npy file (no NumPy header)")
            f.seek(0)
            return np.load(f, allow_pickle=False)
    except ValueError as err:
        if "pickle" in str(err):
            raise DataError(path, "holds pickled Python objects, which classlab never loads") from None
        raise DataError(path, f"not a readable .npy file ({err})") from None
    except (OSError, EOFError) as err:
        raise DataError(path, f"not a readable .npy file ({err or type(err).__name__})") from None


def write_points(folder, n=N_POINTS, seed=SEED):
    """Write the generator's pair as ``X_classification.npy`` and ``y_classification.npy``."""
    X, y = make_points(n, seed)
    folder = Path(folder)
    np.save(folder / X_NAME, X, allow_pickle=False)
    np.save(folder / Y_NAME, y, allow_pickle=False)
    return folder / X_NAME, folder / Y_NAME


if __name__ == "__main__":
    import sys

    target = sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent
    print(*write_points(target), sep="\n")
