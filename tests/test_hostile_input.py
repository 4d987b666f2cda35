"""Random arrays and random bytes: the loaders either load correctly or refuse with DataError."""

import io
import shutil

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from classlab.data.cifar import decode_image, load_cifar10
from classlab.data.points import load_points
from classlab.errors import DataError

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

dtypes = st.sampled_from([np.float64, np.float32, np.int64, np.int8, np.uint8, np.bool_, np.complex64, "U3"])
arrays = dtypes.flatmap(lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=0, max_dims=3, max_side=6)))


@SETTINGS
@given(X=arrays, y=arrays)
def test_points_loader_loads_or_refuses(tmp_path, X, y):
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    try:
        pts = load_points(tmp_path / "X.npy", tmp_path / "y.npy")
    except DataError:
        return
    assert pts.X.ndim == 2 and np.isfinite(pts.X).all() and len(pts.X) == len(pts.y) >= 4
    assert pts.y.min() == 0 and pts.n_classes >= 2


@SETTINGS
@given(blob=st.binary(max_size=400))
def test_points_loader_on_random_bytes(tmp_path, blob):
    (tmp_path / "X.npy").write_bytes(blob)
    np.save(tmp_path / "y.npy", np.arange(6) % 2)
    with pytest.raises(DataError):
        load_points(tmp_path / "X.npy", tmp_path / "y.npy")


@SETTINGS
@given(blob=st.binary(max_size=600))
def test_image_decoder_on_random_bytes(blob):
    try:
        img = decode_image("x.png", blob)
    except DataError:
        return
    assert img.shape == (32, 32, 3) and img.dtype == np.uint8


@SETTINGS
@given(prefix=st.integers(0, 2000), noise=st.binary(min_size=1, max_size=64))
def test_image_decoder_on_damaged_png(prefix, noise):
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.zeros((32, 32, 3), np.uint8) + 77).save(buf, format="PNG")
    good = buf.getvalue()
    damaged = good[:prefix] + noise + good[prefix + len(noise):]
    try:
        img = decode_image("x.png", damaged)
    except DataError:
        return
    assert img.shape == (32, 32, 3)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=300), which=st.sampled_from(["train/cat/0003.png", "test/ship/0001.png"]))
def test_image_folder_with_one_random_file(cifar_forms, tmp_path_factory, blob, which):
    root = tmp_path_factory.mktemp("hyp")
    shutil.copytree(cifar_forms["image-folder"], root / "img")
    (root / "img" / which).write_bytes(blob)
    try:
        data = load_cifar10(root / "img", root / "data")
    except DataError as err:
        assert which in str(err)
        return
    assert len(data.train_y) == 200 and len(data.test_y) == 60
