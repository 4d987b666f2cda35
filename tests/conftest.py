"""Shared fixtures: small CIFAR-10 copies in every accepted form, made by the tests themselves."""

import io
import json
import os
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest

from classlab.data.cifar import CLASSES

TRAIN_PER_BATCH = 40  # 5 batches -> 200 training images
N_TEST = 60


def _images(n, seed):
    rng = np.random.default_rng(seed)
    # Smooth-ish random images so PNG stays small; labels go round the classes (see write_image_folder).
    x = rng.integers(0, 256, size=(n, 3, 32, 32), dtype=np.uint8)
    y = np.arange(n) % 10
    return x, y


def write_batches(folder, train, test, per_batch=TRAIN_PER_BATCH):
    """Write the real ``cifar-10-batches-py`` pickle layout (protocol 2, bytes keys, like the original)."""
    folder = Path(folder) / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    (x, y), (xt, yt) = train, test
    for b in range(5):
        s = slice(b * per_batch, (b + 1) * per_batch)
        _dump(folder / f"data_batch_{b + 1}", x[s], y[s], f"training batch {b + 1} of 5")
    _dump(folder / "test_batch", xt, yt, "testing batch 1 of 1")
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({b"label_names": [c.encode() for c in CLASSES]}, f, protocol=2)
    return folder.parent


def _dump(path, x, y, label):
    batch = {b"batch_label": label.encode(), b"labels": [int(v) for v in y],
             b"data": x.reshape(len(x), -1), b"filenames": [f"img_{i}.png".encode() for i in range(len(x))]}
    with open(path, "wb") as f:
        pickle.dump(batch, f, protocol=2)


def write_image_folder(folder, train, test, suffix=".png"):
    """``train/<class>/NNNN.png``: image k of a class is the k-th of that class in the arrays."""
    from PIL import Image

    folder = Path(folder)
    for split, (x, y) in (("train", train), ("test", test)):
        counts = {}
        for img, label in zip(x, y):
            d = folder / split / CLASSES[label]
            d.mkdir(parents=True, exist_ok=True)
            k = counts.get(label, 0)
            counts[label] = k + 1
            Image.fromarray(img.transpose(1, 2, 0)).save(d / f"{k:04d}{suffix}")
    return folder


def tar_folder(src, dest, arcname):
    with tarfile.open(dest, "w:gz") as tar:
        tar.add(src, arcname=arcname)
    return dest


@pytest.fixture(scope="session")
def cifar_arrays():
    return _images(5 * TRAIN_PER_BATCH, 0), _images(N_TEST, 1)


@pytest.fixture(scope="session")
def cifar_forms(tmp_path_factory, cifar_arrays):
    """The same small CIFAR-10 in all four forms: {form: path}."""
    train, test = cifar_arrays
    root = tmp_path_factory.mktemp("cifar")
    batches = write_batches(root / "batches", train, test)
    images = write_image_folder(root / "images", train, test)
    return {
        "batches-folder": batches,
        "batches-archive": tar_folder(batches / "cifar-10-batches-py", root / "cifar-10-python.tar.gz",
                                      "cifar-10-batches-py"),
        "image-folder": images,
        "image-archive": tar_folder(images, root / "images.tar.gz", "cifar10-images"),
    }


@pytest.fixture(scope="session")
def quick_run(tmp_path_factory, cifar_forms):
    """``classlab run --quick --seeds 2`` on the small image archive: (out folder, stdout, answers.json)."""
    out = tmp_path_factory.mktemp("run") / "out"
    data_dir = tmp_path_factory.mktemp("data")
    code, stdout, stderr = run_cli("run", "--quick", "--cifar", cifar_forms["image-archive"], "--data-dir",
                                   data_dir, "--out", out, "--seeds", "2")
    assert code == 0, stderr
    return out, stdout, json.loads((out / "answers.json").read_text())


@pytest.fixture(scope="session")
def part2_key(tmp_path_factory):
    """A finished part 2 run of three seeds, as a key: 2.3's faithful number pinned, its corrected ones spread."""
    out = tmp_path_factory.mktemp("key") / "run"
    args = ("run", "--only", "2.1,2.2,2.3,2.4", "--points-epochs", "10", "--seeds", "3")
    _made_once(out, lambda dest: run_cli(*args, "--out", dest))
    return out, json.loads((out / "answers.json").read_text())


def _made_once(out, make):
    """Make the run folder ``out`` with ``make(folder) -> (code, stdout, stderr)``, or, where the environment's
    ``CLASSLAB_TEST_RUN_CACHE`` names a folder, copy the one made there before (made there first if absent).

    Only for mutation testing of the modules that read a run (grading, the key, the checker, Moodle's formats):
    each mutant's fresh pytest process then skips the training. A mutant of the code that makes the run would
    be tested against a run made without it, so docs/testing.md says when the cache may be set."""
    import shutil

    cache = os.environ.get("CLASSLAB_TEST_RUN_CACHE")
    if not cache:
        code, _, err = make(out)
        assert code == 0, err
        return
    Path(cache).mkdir(parents=True, exist_ok=True)
    kept = Path(cache) / out.parent.name.rstrip("0123456789")
    if not (kept / "answers.json").exists():
        fresh = Path(cache) / f"{kept.name}.{os.getpid()}"
        code, _, err = make(fresh)
        assert code == 0, err
        try:
            fresh.rename(kept)
        except OSError:  # another process kept its copy first: the same run
            shutil.rmtree(fresh)
    shutil.copytree(kept, out)


@pytest.fixture(scope="session")
def part2_keyed(part2_key, tmp_path_factory):
    """A copy of ``part2_key`` keyed with classlab key's defaults, as a quiz in Moodle would be: grading needs one."""
    out, doc = part2_key
    keyed = keyed_copy(out, tmp_path_factory.mktemp("keyed") / "run")
    code, _, err = run_cli("key", keyed)
    assert code == 0, err
    return keyed, doc


@pytest.fixture
def data_dir(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Tests never touch the network: any socket connection fails at once."""
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("CLASSLAB_DATA", os.devnull + "-unused")


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from this machine's results instead of comparing (review the diff)")


def keyed_copy(run, dest):
    """A copy of the finished run ``run`` in ``dest``, for a test that writes a key (key.json would otherwise be
    remembered by every later check and grade of the shared run)."""
    import shutil

    shutil.copytree(run, dest)
    return Path(dest)


def run_cli(*args):
    """Run ``classlab`` in-process; return (exit code, stdout, stderr)."""
    import contextlib

    from classlab._cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()
