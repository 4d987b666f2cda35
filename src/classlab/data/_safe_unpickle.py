"""Load CIFAR-10 python batches without letting a pickle run code.

The batches are pickles: plain ``pickle.load`` (what torchvision does) runs whatever a
crafted file asks for. This unpickler resolves only the few globals that a real CIFAR-10
batch needs to rebuild its dict of bytes, lists and one uint8 numpy array.
"""

import io
import pickle

import numpy as np

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    # Python 3 writes bytes as _codecs.encode(str, 'latin1') under pickle protocols 0-2.
    ("_codecs", "encode"),
}


class UnsafePickleError(pickle.UnpicklingError):
    pass


class _CifarUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise UnsafePickleError(f"refuses to load {module}.{name}: a CIFAR-10 batch never holds it")


def load_batch(data: bytes) -> dict:
    """Unpickle one CIFAR-10 batch (bytes) into a dict with str keys.

    Raises UnsafePickleError for anything a CIFAR batch does not contain, and
    pickle.UnpicklingError / EOFError / ValueError for a broken file.
    """
    obj = _CifarUnpickler(io.BytesIO(data), encoding="bytes").load()
    if not isinstance(obj, dict):
        raise ValueError(f"holds a {type(obj).__name__}, not a CIFAR-10 batch dict")
    out = {}
    for key, value in obj.items():
        if isinstance(key, bytes):
            key = key.decode("latin1")
        if not isinstance(key, str):
            raise ValueError("has a key that is not a string")
        out[key] = value
    for value in out.values():
        if isinstance(value, np.ndarray) and value.dtype.hasobject:
            raise UnsafePickleError("holds an array of Python objects")
    return out
