"""CIFAR-10 from every form a user has, as uint8 tensors, cached after the first load.

Accepted sources (``load_cifar10``):

* a folder that holds ``cifar-10-batches-py/`` (what torchvision downloads), or that folder itself;
* the official ``cifar-10-python.tar.gz``;
* an image folder ``train/<class>/*.png|jpg`` and ``test/<class>/*``;
* a ``.tar.gz`` (or ``.tar``) of such an image folder.

An image folder has no sample order of its own. Its classes are interleaved (the first file
of every class, then the second, ...), so that, as in the original CIFAR-10, any prefix of
the training set (the SVC's first 10,000 points, a ``--quick`` subset) holds every class.
"""

import hashlib
import io
import os
import re
import sys
import tarfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from .._atomic import torch_save
from ..errors import ClasslabError, DataError
from ._safe_unpickle import load_batch

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
BATCHES_FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCHES = ("test_batch",)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".ppm")
CACHE_FORMAT = 1  # bump when the cached layout or the loading rules change
# Sizes are checked from the file system or the tar header before anything is read, so that a
# crafted archive cannot make classlab read gigabytes: a 32x32 image takes a few kB in any of
# the accepted formats, a python batch of 10,000 images 31 MB.
MAX_IMAGE_BYTES = 256 << 10
MAX_BATCH_BYTES = 64 << 20


@dataclass
class Cifar10:
    """CIFAR-10 held as tensors: images uint8 (N, 3, 32, 32), labels int64 (N,)."""

    train_x: torch.Tensor
    train_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    classes: tuple = CLASSES
    source: str = ""
    checksum: str = ""  # "sha256:<hex>" of the archive, or "listing-sha256:<hex>" of a folder
    form: str = ""  # batches-folder | batches-archive | image-folder | image-archive
    skipped_images: int = 0

    def subset(self, n_train=None, n_test=None):
        """The first ``n_train`` training and ``n_test`` test samples (``None``: all)."""
        return replace(
            self,
            train_x=self.train_x[:n_train], train_y=self.train_y[:n_train],
            test_x=self.test_x[:n_test], test_y=self.test_y[:n_test],
        )

    def describe(self):
        return {"source": self.source, "form": self.form, "checksum": self.checksum,
                "train_size": len(self.train_y), "test_size": len(self.test_y),
                "skipped_images": self.skipped_images}


# ----------------------------------------------------------------------------- entry point

def default_data_dir():
    return Path(os.environ.get("CLASSLAB_DATA") or "data")


def load_cifar10(path=None, data_dir=None, download=True, skip_bad_images=False):
    """Load CIFAR-10 from ``path`` (any accepted form) or from/into ``data_dir``.

    Without ``path``, ``data_dir/cifar-10-batches-py`` is used, downloaded there by
    torchvision (md5-checked) when missing. Converted tensors are cached in
    ``data_dir/cache`` under a key made of the source's checksum, so that a changed or
    different source never reuses a stale cache.
    """
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    if path is None:
        path = data_dir
        if not (data_dir / BATCHES_FOLDER).is_dir():
            if not download:
                raise ClasslabError(f"{data_dir}: no {BATCHES_FOLDER}/ here; point --cifar at a CIFAR-10 copy")
            _download(data_dir)
    path = Path(path)
    form, root = _identify(path)
    checksum = _checksum(path, root, form)
    key = hashlib.sha256(f"{CACHE_FORMAT}|{form}|{checksum}|{skip_bad_images}".encode()).hexdigest()[:24]
    cache = data_dir / "cache" / f"cifar10-{key}.pt"
    data = _read_cache(cache)
    if data is None:
        print(f"classlab: reading {path} into the tensor cache in {cache.parent} (once: later runs start in about a "
              "second)", file=sys.stderr, flush=True)
        if form.startswith("batches"):
            data = _load_batches(path, root, form)
        else:
            data = _load_images(path, root, form, skip_bad_images)
        _write_cache(data, cache)
    return Cifar10(**data, source=str(path), checksum=checksum, form=form)


def _download(data_dir):
    from torchvision.datasets import CIFAR10
    from torchvision.datasets.utils import download_and_extract_archive

    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        download_and_extract_archive(CIFAR10.url, str(data_dir), filename=CIFAR10.filename, md5=CIFAR10.tgz_md5)
    except Exception as err:  # offline, DNS, HTTP, md5: all mean the same to the user
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ClasslabError(
            f"CIFAR-10 is not in {data_dir}/{BATCHES_FOLDER} and downloading it from {CIFAR10.url} failed "
            f"({reason}); point --cifar at a local copy (a folder with {BATCHES_FOLDER}/, "
            f"cifar-10-python.tar.gz, or an image folder or .tar.gz of one) or set CLASSLAB_DATA"
        ) from None


# ----------------------------------------------------------------------------- what is it

def _identify(path):
    """Return (form, root): root is the batches folder / the image folder's parent, or an
    archive-member prefix."""
    if not path.exists():
        raise DataError(path, "no such file or folder")
    if path.is_dir():
        if (path / BATCHES_FOLDER).is_dir():
            return "batches-folder", path / BATCHES_FOLDER
        if (path / "data_batch_1").is_file() or (path / "test_batch").is_file():
            return "batches-folder", path
        if (path / "train").is_dir() and (path / "test").is_dir():
            return "image-folder", path
        raise DataError(path, f"not a CIFAR-10 folder: expected {BATCHES_FOLDER}/, or train/ and test/ class folders")
    if not tarfile.is_tarfile(path):
        raise DataError(path, "not a folder or a .tar.gz archive of CIFAR-10")
    try:
        with tarfile.open(path) as tar:
            for member in tar:  # streamed: stops at the first member that settles the form
                name = member.name
                if name.endswith("/data_batch_1") or name == "data_batch_1":
                    _check_size(f"{path}:{name}", member.size, MAX_BATCH_BYTES, "a CIFAR-10 batch")
                    return "batches-archive", name[: -len("data_batch_1")]
                parts = name.split("/")
                if len(parts) >= 3 and parts[-3] == "train" and member.isfile():
                    return "image-archive", "".join(p + "/" for p in parts[:-3])
    except (tarfile.TarError, OSError, EOFError) as err:
        raise DataError(path, f"broken archive ({err})") from None
    raise DataError(path, f"archive holds neither {BATCHES_FOLDER}/ nor train/ and test/ image folders")


def _check_size(where, size, limit, what):
    if size > limit:
        raise DataError(where, f"is {_mib(size)}, far too large for {what} (at most {_mib(limit)}); not read")


def _mib(n):
    for unit, shift in (("GiB", 30), ("MiB", 20)):
        if n >= 1 << shift:
            return f"{n / (1 << shift):.1f} {unit}"
    return f"{n / 1024:.0f} KiB"


def _checksum(path, root, form):
    if form.endswith("archive"):
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        return f"sha256:{h.hexdigest()}"
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            p = Path(dirpath) / name
            st = p.stat()
            h.update(f"{p.relative_to(root)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return f"listing-sha256:{h.hexdigest()}"


# ----------------------------------------------------------------------------- python batches

def _load_batches(path, root, form):
    blobs = {}
    if form == "batches-folder":
        for name in TRAIN_BATCHES + TEST_BATCHES:
            f = root / name
            if not f.is_file():
                raise DataError(f, "missing CIFAR-10 batch file")
            _check_size(f, f.stat().st_size, MAX_BATCH_BYTES, "a CIFAR-10 batch")
            blobs[name] = (f, f.read_bytes())
    else:
        try:
            with tarfile.open(path) as tar:
                for name in TRAIN_BATCHES + TEST_BATCHES:
                    try:
                        info = tar.getmember(root + name)
                    except KeyError:
                        info = None
                    if info is None or not info.isfile():
                        raise DataError(path, f"archive has no {root}{name}")
                    where = f"{path}:{root}{name}"
                    _check_size(where, info.size, MAX_BATCH_BYTES, "a CIFAR-10 batch")
                    blobs[name] = (where, tar.extractfile(info).read())
        except (tarfile.TarError, OSError, EOFError) as err:
            raise DataError(path, f"broken archive ({err})") from None
    parts = {name: _parse_batch(where, blob) for name, (where, blob) in blobs.items()}
    train = [parts[n] for n in TRAIN_BATCHES]
    return dict(
        train_x=torch.cat([x for x, _ in train]), train_y=torch.cat([y for _, y in train]),
        test_x=parts["test_batch"][0], test_y=parts["test_batch"][1],
    )


def _parse_batch(where, blob):
    try:
        batch = load_batch(blob)
    except Exception as err:  # truncated, not a pickle, refused global: one line for the user
        raise DataError(where, f"not a readable CIFAR-10 batch ({err or type(err).__name__})") from None
    data, labels = batch.get("data"), batch.get("labels")
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        shape = getattr(data, "shape", None)
        raise DataError(where, f"'data' must be a uint8 array of shape (N, 3072), got {type(data).__name__} {shape}")
    if not isinstance(labels, (list, np.ndarray)) or len(labels) != len(data):
        raise DataError(where, f"'labels' must be a list of {len(data)} labels")
    try:
        y = np.asarray(labels, dtype=np.int64)
    except (TypeError, ValueError):
        raise DataError(where, "'labels' are not integers") from None
    if y.size and (y.min() < 0 or y.max() > 9):
        raise DataError(where, f"labels outside 0-9 (found {y.min()}..{y.max()})")
    x = torch.from_numpy(np.ascontiguousarray(data)).reshape(-1, 3, 32, 32).clone()
    return x, torch.from_numpy(y)


# ----------------------------------------------------------------------------- image folders

def _load_images(path, root, form, skip_bad):
    files = {"train": {}, "test": {}}  # split -> class -> {name: (where, reader)}
    skipped = [0]
    if form == "image-folder":
        for split in files:
            for cls in CLASSES:
                d = root / split / cls
                if not d.is_dir():
                    raise DataError(d, f"missing class folder (expected {', '.join(CLASSES)})")
                files[split][cls] = {n: (d / n, (lambda p=d / n: _read_image_file(p)))
                                     for n in os.listdir(d) if n.lower().endswith(IMAGE_SUFFIXES)}
        return _decode(files, skip_bad, skipped) | {"skipped_images": skipped[0]}
    try:
        with tarfile.open(path) as tar:
            pattern = re.compile("^" + re.escape(root) + r"(train|test)/([^/]+)/([^/]+)$")
            for member in tar:
                m = pattern.match(member.name)
                if not m or not member.isfile() or not m[3].lower().endswith(IMAGE_SUFFIXES):
                    continue
                split, cls, name = m.groups()
                if cls not in CLASSES:
                    raise DataError(f"{path}:{member.name}", f"unknown class folder {cls!r}")
                _check_size(f"{path}:{member.name}", member.size, MAX_IMAGE_BYTES, "a 32x32 image")
                blob = tar.extractfile(member).read()
                files[split].setdefault(cls, {})[name] = (f"{path}:{member.name}", (lambda b=blob: b))
    except (tarfile.TarError, OSError, EOFError) as err:
        raise DataError(path, f"broken archive ({err})") from None
    for split in files:
        for cls in CLASSES:
            if cls not in files[split]:
                raise DataError(path, f"archive has no {root}{split}/{cls}/ images (expected {', '.join(CLASSES)})")
    return _decode(files, skip_bad, skipped) | {"skipped_images": skipped[0]}


def _read_image_file(path):
    _check_size(path, path.stat().st_size, MAX_IMAGE_BYTES, "a 32x32 image")
    return path.read_bytes()


def _decode(files, skip_bad, skipped):
    from tqdm import tqdm  # a bar at a terminal; nothing in a log (disable=None)

    out = {}
    total = sum(len(names) for by_class in files.values() for names in by_class.values())
    bar = tqdm(total=total, desc="classlab: decoding images", unit="img", disable=None, leave=False, file=sys.stderr)
    for split, by_class in files.items():
        per_class = []
        for label, cls in enumerate(CLASSES):
            images = []
            for name in sorted(by_class[cls]):
                where, read = by_class[cls][name]
                try:
                    images.append(decode_image(where, read()))
                except DataError:
                    if not skip_bad:
                        bar.close()
                        raise
                    skipped[0] += 1
                bar.update()
            per_class.append((label, images))
        order = _interleave(per_class)
        if not order:
            raise DataError(split, "no images")
        out[f"{split}_x"] = torch.from_numpy(np.stack([img for _, img in order])).permute(0, 3, 1, 2).contiguous()
        out[f"{split}_y"] = torch.tensor([label for label, _ in order], dtype=torch.int64)
    bar.close()
    return out


def _interleave(per_class):
    order, i = [], 0
    while True:
        row = [(label, images[i]) for label, images in per_class if i < len(images)]
        if not row:
            return order
        order.extend(row)
        i += 1


def decode_image(where, blob):
    """Decode one 32x32 RGB image to a uint8 HWC array; DataError naming ``where`` otherwise."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(blob)) as img:
            # Size is known from the header: refuse before decoding, so a decompression
            # bomb never gets its pixels allocated.
            if img.size != (32, 32):
                raise DataError(where, f"image is {img.size[0]}x{img.size[1]}, expected 32x32")
            if img.mode != "RGB":
                raise DataError(where, f"image mode is {img.mode}, expected RGB")
            return np.asarray(img.convert("RGB"), dtype=np.uint8)
    except DataError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as err:
        raise DataError(where, f"not a readable image ({type(err).__name__})") from None


# ----------------------------------------------------------------------------- cache

def _read_cache(cache):
    if not cache.is_file():
        return None
    try:
        data = torch.load(cache, weights_only=True)
        assert data["train_x"].dtype == torch.uint8 and data["train_x"].shape[1:] == (3, 32, 32)
        return data
    except Exception:  # a damaged cache is rebuilt, never trusted
        return None


def _write_cache(data, cache):
    try:
        torch_save(data, cache)
    except OSError:
        pass  # a read-only data folder only costs the next run its conversion time
