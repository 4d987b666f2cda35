"""CIFAR-10 loading: every accepted form gives the same tensors; bad input gets one clear error."""

import io
import pickle
import shutil
import tarfile
import urllib.error

import numpy as np
import pytest
import torch

from classlab.data.cifar import load_cifar10
from classlab.errors import ClasslabError, DataError
from conftest import tar_folder, write_batches, write_image_folder


@pytest.mark.parametrize("form", ["batches-folder", "batches-archive", "image-folder", "image-archive"])
def test_every_form_loads_the_same_tensors(cifar_forms, cifar_arrays, data_dir, form):
    (x, y), (xt, yt) = cifar_arrays
    data = load_cifar10(cifar_forms[form], data_dir)
    assert data.form == form
    assert data.train_x.dtype == torch.uint8 and data.train_x.shape == (len(y), 3, 32, 32)
    assert torch.equal(data.train_x, torch.from_numpy(x))
    assert torch.equal(data.train_y, torch.from_numpy(y).long())
    assert torch.equal(data.test_x, torch.from_numpy(xt))
    assert torch.equal(data.test_y, torch.from_numpy(yt).long())


def test_batches_folder_itself_is_accepted(cifar_forms, cifar_arrays, data_dir):
    data = load_cifar10(cifar_forms["batches-folder"] / "cifar-10-batches-py", data_dir)
    assert torch.equal(data.train_x, torch.from_numpy(cifar_arrays[0][0]))


def test_image_folder_interleaves_classes(tmp_path, data_dir):
    """An image folder has no order of its own: class by class it would put only airplanes
    and automobiles in the first points; interleaving puts every class in any prefix."""
    rng = np.random.default_rng(3)
    y = np.repeat(np.arange(10), 3)  # sorted by class on purpose
    x = rng.integers(0, 256, (30, 3, 32, 32), dtype=np.uint8)
    write_image_folder(tmp_path / "img", (x, y), (x, y))
    data = load_cifar10(tmp_path / "img", data_dir)
    assert data.train_y[:10].tolist() == list(range(10))
    assert sorted(data.train_y.tolist()) == sorted(y.tolist())


def test_cache_is_reused_and_keyed_by_source(cifar_forms, cifar_arrays, tmp_path, data_dir):
    src = tmp_path / "copy"
    shutil.copytree(cifar_forms["batches-folder"], src)
    first = load_cifar10(src, data_dir)
    caches = list((data_dir / "cache").glob("*.pt"))
    assert len(caches) == 1
    assert torch.equal(load_cifar10(src, data_dir).train_x, first.train_x)
    # A changed source must not reuse the stale cache.
    (x, y), (xt, yt) = cifar_arrays
    write_batches(src, (255 - x, y), (xt, yt))
    changed = load_cifar10(src, data_dir)
    assert torch.equal(changed.train_x, torch.from_numpy(255 - x))
    assert len(list((data_dir / "cache").glob("*.pt"))) == 2


def test_damaged_cache_is_rebuilt(cifar_forms, cifar_arrays, data_dir):
    load_cifar10(cifar_forms["batches-archive"], data_dir)
    (cache,) = (data_dir / "cache").glob("*.pt")
    cache.write_bytes(cache.read_bytes()[:100])
    data = load_cifar10(cifar_forms["batches-archive"], data_dir)
    assert torch.equal(data.train_x, torch.from_numpy(cifar_arrays[0][0]))


def test_offline_download_fails_with_one_clear_line(monkeypatch, tmp_path):
    import torchvision.datasets.utils as tv_utils

    def offline(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(tv_utils, "download_and_extract_archive", offline)
    with pytest.raises(ClasslabError) as err:
        load_cifar10(None, tmp_path / "nodata")
    msg = str(err.value)
    assert str(tmp_path / "nodata") in msg and "--cifar" in msg and "\n" not in msg


def _batch_copy(cifar_forms, tmp_path):
    dst = tmp_path / "bad"
    shutil.copytree(cifar_forms["batches-folder"], dst)
    return dst, dst / "cifar-10-batches-py"


def test_truncated_batch(cifar_forms, tmp_path, data_dir):
    root, batches = _batch_copy(cifar_forms, tmp_path)
    blob = (batches / "data_batch_3").read_bytes()
    (batches / "data_batch_3").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(DataError, match="data_batch_3.*not a readable CIFAR-10 batch"):
        load_cifar10(root, data_dir)
    assert not (data_dir / "cache").exists() or not list((data_dir / "cache").iterdir())


def _rewrite(batches, name, changes):
    with open(batches / name, "rb") as f:
        batch = pickle.load(f, encoding="bytes")
    batch.update(changes)
    with open(batches / name, "wb") as f:
        pickle.dump(batch, f, protocol=2)


def test_wrong_shape_batch(cifar_forms, tmp_path, data_dir):
    root, batches = _batch_copy(cifar_forms, tmp_path)
    _rewrite(batches, "data_batch_2", {b"data": np.zeros((40, 100), np.uint8)})
    with pytest.raises(DataError, match=r"data_batch_2.*shape \(N, 3072\)"):
        load_cifar10(root, data_dir)


def test_labels_outside_0_9(cifar_forms, tmp_path, data_dir):
    root, batches = _batch_copy(cifar_forms, tmp_path)
    _rewrite(batches, "test_batch", {b"labels": [12] * 60})
    with pytest.raises(DataError, match="test_batch.*labels outside 0-9"):
        load_cifar10(root, data_dir)


def test_missing_batch_file(cifar_forms, tmp_path, data_dir):
    root, batches = _batch_copy(cifar_forms, tmp_path)
    (batches / "data_batch_5").unlink()
    with pytest.raises(DataError, match="data_batch_5.*missing"):
        load_cifar10(root, data_dir)


class _Evil:
    def __reduce__(self):
        import os

        return (os.system, ("echo pwned > pwned.txt",))


def test_pickle_that_runs_code_is_refused(cifar_forms, tmp_path, data_dir, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root, batches = _batch_copy(cifar_forms, tmp_path)
    with open(batches / "data_batch_1", "wb") as f:
        pickle.dump({b"data": _Evil(), b"labels": []}, f, protocol=2)
    with pytest.raises(DataError, match="data_batch_1.*refuses to load posix.system|data_batch_1.*refuses"):
        load_cifar10(root, data_dir)
    assert not (tmp_path / "pwned.txt").exists()


def test_missing_path(tmp_path, data_dir):
    with pytest.raises(DataError, match="no such file or folder"):
        load_cifar10(tmp_path / "nope", data_dir)


def test_archive_that_is_not_cifar(tmp_path, data_dir):
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "readme.txt").write_text("hello")
    archive = tar_folder(tmp_path / "stuff", tmp_path / "stuff.tar.gz", "stuff")
    with pytest.raises(DataError, match="stuff.tar.gz: archive holds neither"):
        load_cifar10(archive, data_dir)


def test_file_that_is_no_archive(tmp_path, data_dir):
    f = tmp_path / "cifar.zip"
    f.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(DataError, match="not a folder or a .tar.gz"):
        load_cifar10(f, data_dir)


def test_image_folder_missing_class(cifar_forms, tmp_path, data_dir):
    dst = tmp_path / "img"
    shutil.copytree(cifar_forms["image-folder"], dst)
    shutil.rmtree(dst / "test" / "frog")
    with pytest.raises(DataError, match="test/frog: missing class folder"):
        load_cifar10(dst, data_dir)


def test_image_archive_missing_class(cifar_forms, tmp_path, data_dir):
    dst = tmp_path / "img"
    shutil.copytree(cifar_forms["image-folder"], dst)
    shutil.rmtree(dst / "train" / "ship")
    archive = tar_folder(dst, tmp_path / "img.tar.gz", "img")
    with pytest.raises(DataError, match="train/ship/ images"):
        load_cifar10(archive, data_dir)


@pytest.mark.parametrize("problem,content,message", [
    ("unreadable", b"this is not a png", "not a readable image"),
    ("wrong size", "big", "image is 64x64, expected 32x32"),
    ("wrong mode", "gray", "image mode is L, expected RGB"),
])
def test_bad_image(cifar_forms, tmp_path, data_dir, problem, content, message):
    from PIL import Image

    dst = tmp_path / "img"
    shutil.copytree(cifar_forms["image-folder"], dst)
    bad = dst / "train" / "cat" / "0001.png"
    if content == "big":
        Image.new("RGB", (64, 64)).save(bad)
    elif content == "gray":
        Image.new("L", (32, 32)).save(bad)
    else:
        bad.write_bytes(content)
    with pytest.raises(DataError) as err:
        load_cifar10(dst, data_dir)
    assert str(bad) in str(err.value) and message in str(err.value)
    skipped = load_cifar10(dst, data_dir, skip_bad_images=True)
    assert skipped.skipped_images == 1 and len(skipped.train_y) == 199


def test_decompression_bomb_is_refused_before_decoding(cifar_forms, tmp_path, data_dir):
    """A PNG that claims 40000x40000 pixels is refused from its header, never decoded."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 40000, 40000, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))
    dst = tmp_path / "img"
    shutil.copytree(cifar_forms["image-folder"], dst)
    (dst / "test" / "dog" / "0000.png").write_bytes(png)
    with pytest.raises(DataError, match="test/dog/0000.png: (image is 40000x40000|not a readable image)"):
        load_cifar10(dst, data_dir)


def test_broken_gzip(cifar_forms, tmp_path, data_dir):
    blob = cifar_forms["image-archive"].read_bytes()
    bad = tmp_path / "cut.tar.gz"
    bad.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(DataError, match="cut.tar.gz"):
        load_cifar10(bad, data_dir)
    assert not (data_dir / "cache").exists() or not list((data_dir / "cache").iterdir())


def test_subset_takes_prefixes(cifar_forms, data_dir):
    data = load_cifar10(cifar_forms["batches-folder"], data_dir)
    sub = data.subset(50, 20)
    assert torch.equal(sub.train_x, data.train_x[:50]) and len(sub.test_y) == 20


def test_tarfile_members_are_never_extracted_to_disk(cifar_forms, data_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tarfile.TarFile, "extractall", lambda *a, **k: pytest.fail("extractall called"))
    load_cifar10(cifar_forms["image-archive"], data_dir)
    assert not (tmp_path / "train").exists()


class _Zeros(io.RawIOBase):
    """``size`` zero bytes, made as they are read (a member far larger than it compresses to)."""

    def __init__(self, size):
        self.left = size

    def readable(self):
        return True

    def readinto(self, buf):
        n = min(len(buf), self.left)
        buf[:n] = bytes(n)
        self.left -= n
        return n


def _archive_with(dest, src_folder, arcname, member_name, size):
    """``src_folder`` as ``arcname/``, with ``member_name`` replaced by ``size`` zero bytes."""
    with tarfile.open(dest, "w:gz", compresslevel=1) as tar:
        tar.add(src_folder, arcname=arcname,
                filter=lambda m: None if m.name == f"{arcname}/{member_name}" else m)
        info = tarfile.TarInfo(f"{arcname}/{member_name}")
        info.size = size
        tar.addfile(info, _Zeros(size))
    return dest


@pytest.mark.parametrize("form,member,size,message", [
    ("image-folder", "train/cat/9999.png", 8 << 20, "far too large for a 32x32 image"),
    ("batches-folder", "data_batch_1", (64 << 20) + 1, "far too large for a CIFAR-10 batch"),
])
def test_implausibly_large_archive_member_is_refused_unread(cifar_forms, tmp_path, data_dir, monkeypatch, form,
                                                           member, size, message):
    """A small archive may hold a member of gigabytes: its size is checked from the tar header, never read."""
    src = cifar_forms[form] / ("cifar-10-batches-py" if form == "batches-folder" else "")
    archive = _archive_with(tmp_path / "hostile.tar.gz", src, "c", member, size)
    extracted = []
    real = tarfile.TarFile.extractfile
    monkeypatch.setattr(tarfile.TarFile, "extractfile",
                        lambda self, m: extracted.append(getattr(m, "name", m)) or real(self, m))
    with pytest.raises(DataError) as err:
        load_cifar10(archive, data_dir)
    assert f"{archive}:c/{member}" in str(err.value) and message in str(err.value)
    assert f"c/{member}" not in extracted


def test_implausibly_large_image_file_is_refused_unread(cifar_forms, tmp_path, data_dir):
    dst = tmp_path / "img"
    shutil.copytree(cifar_forms["image-folder"], dst)
    big = dst / "test" / "ship" / "0002.png"
    with open(big, "wb") as f:
        f.truncate(300 << 10)
    with pytest.raises(DataError, match=r"test/ship/0002.png: is 300 KiB, far too large for a 32x32 image"):
        load_cifar10(dst, data_dir)
