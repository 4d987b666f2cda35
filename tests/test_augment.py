"""The batched augmentation equals torchvision's per-image transform of the problem set."""

import numpy as np
import pytest
import torch
import torchvision.transforms.functional as F
from PIL import Image
from torchvision import transforms

from classlab.data.augment import MEAN, STD, augment, flip_crop, normalize, sample_flip_crop, torchvision_transform
from classlab.data.batches import TensorBatches, TorchvisionBatches, listing_loader


DRAWS = [(flip, i, j) for flip in (False, True) for i in range(9) for j in range(9)]  # all 162 flip/crop draws


@pytest.fixture
def images():
    return torch.randint(0, 256, (64, 3, 32, 32), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))


def _torchvision_one(img_uint8, flip, i, j):
    """The problem set's pipeline for one image with the random draws fixed: PIL flip, pad 4, crop."""
    pil = Image.fromarray(img_uint8.permute(1, 2, 0).numpy())
    if flip:
        pil = F.hflip(pil)
    pil = F.crop(F.pad(pil, 4, fill=0), i, j, 32, 32)
    return transforms.Normalize(MEAN, STD)(transforms.ToTensor()(pil))


def test_flip_crop_normalize_equals_torchvision_image_by_image(images):
    flip, i, j = sample_flip_crop(len(images), torch.Generator().manual_seed(0))
    assert flip.any() and (~flip).any() and len(set(i.tolist())) > 3
    ours = normalize(flip_crop(images, flip, i, j))
    for k in range(len(images)):
        ref = _torchvision_one(images[k], bool(flip[k]), int(i[k]), int(j[k]))
        assert torch.equal(ours[k], ref), k


def test_every_offset_and_flip_matches(images):
    """All 81 crop corners, flipped and not, against torchvision."""
    img = images[:1]
    for f, a, b in DRAWS:
        ours = normalize(flip_crop(img, torch.tensor([f]), torch.tensor([a]), torch.tensor([b])))[0]
        assert torch.equal(ours, _torchvision_one(img[0], f, a, b))


def test_normalize_equals_totensor_normalize(images):
    ref = torch.stack([torchvision_transform(train=False)(Image.fromarray(im.permute(1, 2, 0).numpy()))
                       for im in images])
    assert torch.equal(normalize(images), ref)


def test_draws_have_torchvisions_distribution():
    """Flip with p=1/2 and crop corners uniform on {0..8}^2, as RandomHorizontalFlip/RandomCrop draw them."""
    n = 81 * 400
    flip, i, j = sample_flip_crop(n, torch.Generator().manual_seed(0))
    counts = torch.bincount(i * 9 + j, minlength=81).double()
    expected = n / 81
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < 124  # 80 degrees of freedom: p < 0.001 beyond this
    assert abs(flip.double().mean().item() - 0.5) < 4 * (0.25 / n) ** 0.5
    # Same for torchvision's own sampler, through the same statistic, as a check of the check.
    tv = torch.tensor([transforms.RandomCrop.get_params(torch.zeros(3, 40, 40), (32, 32))[:2] for _ in range(8100)])
    tv_counts = torch.bincount(tv[:, 0] * 9 + tv[:, 1], minlength=81).double()
    assert float(((tv_counts - 100) ** 2 / 100).sum()) < 124


def test_flips_and_crops_are_independent_per_image():
    flip, i, j = sample_flip_crop(20000, torch.Generator().manual_seed(5))
    table = np.histogram2d(flip.numpy().astype(float), i.numpy(), bins=[2, 9])[0]
    from scipy.stats import chi2_contingency

    assert chi2_contingency(table).pvalue > 0.001


def test_tensor_batches_cover_the_data_once_per_epoch(images):
    y = torch.arange(len(images))
    batches = TensorBatches(images, y, 10, torch.Generator().manual_seed(0))
    seen = torch.cat([yb for _, yb in batches])
    assert sorted(seen.tolist()) == list(range(len(images)))
    assert len(batches) == 7 and [len(yb) for _, yb in batches][-1] == 4
    order2 = torch.cat([yb for _, yb in batches])
    assert not torch.equal(seen, order2)  # reshuffled each epoch


def test_tensor_batches_draw_order_then_flips_and_crops_chunk_by_chunk(images, monkeypatch):
    """The generator's stream, in order: the epoch's permutation, then the transform's draws for each chunk
    of whole batches (at most CHUNK_IMAGES images, one batch when a batch is larger)."""
    y = torch.arange(len(images))
    for batch_size, chunk_images, chunk in ((16, 32, 32), (16, 40, 32), (48, 40, 48)):
        monkeypatch.setattr(TensorBatches, "CHUNK_IMAGES", chunk_images)
        got = torch.cat([xb for xb, _ in TensorBatches(images, y, batch_size, torch.Generator().manual_seed(4))])
        g = torch.Generator().manual_seed(4)
        order = torch.randperm(len(images), generator=g)
        expected = torch.cat([augment(images[order[c:c + chunk]], g) for c in range(0, len(images), chunk)])
        assert torch.equal(got, expected)


def test_tensor_batches_take_any_transform():
    """``transform=None``: data as it is (shuffled); a callable gets each chunk and the generator."""
    x, y = torch.randn(10, 2), torch.arange(10)
    got = [(xb, yb) for xb, yb in TensorBatches(x, y, 4, torch.Generator().manual_seed(2), transform=None)]
    order = torch.randperm(10, generator=torch.Generator().manual_seed(2))
    assert torch.equal(torch.cat([xb for xb, _ in got]), x[order])
    assert torch.equal(torch.cat([yb for _, yb in got]), order)
    doubled = TensorBatches(x, y, 4, torch.Generator(), shuffle=False, transform=lambda xc, generator: 2 * xc)
    assert torch.equal(torch.cat([xb for xb, _ in doubled]), 2 * x)


def test_tensor_batches_are_reproducible(images):
    y = torch.arange(len(images))
    a = [xb for xb, _ in TensorBatches(images, y, 16, torch.Generator().manual_seed(3))]
    b = [xb for xb, _ in TensorBatches(images, y, 16, torch.Generator().manual_seed(3))]
    assert all(torch.equal(u, v) for u, v in zip(a, b))


def test_augmented_batches_are_augmented_images_of_the_batch(images):
    """Every augmented image is one of the 162 flip/crop variants of its own source image."""
    y = torch.arange(len(images))
    for xb, yb in TensorBatches(images, y, 16, torch.Generator().manual_seed(0)):
        for x, k in zip(xb[:4], yb[:4]):
            variants = [normalize(flip_crop(images[k:k + 1], torch.tensor([f]), torch.tensor([a]),
                                            torch.tensor([b])))[0] for f, a, b in DRAWS]
            assert any(torch.equal(x, v) for v in variants)


def test_clean_pipelines_agree(images):
    """Without augmentation the tensor pipeline and torchvision's DataLoader give identical batches."""
    y = torch.arange(len(images))
    ours = torch.cat([xb for xb, _ in TensorBatches(images, y, 16, torch.Generator(), False, shuffle=False)])
    generator = torch.Generator().manual_seed(0)
    state = generator.get_state()
    ref = torch.cat([xb for xb, _ in TorchvisionBatches(images, y, 16, generator, False, shuffle=False)])
    assert torch.equal(ours, ref)
    assert torch.equal(generator.get_state(), state)  # an unshuffled loader draws nothing from it


def test_torchvision_batches_are_the_problem_sets_loader(images):
    """By default (training): the order of ``DataLoader(..., shuffle=True, generator=g)``, batches of the size
    asked, and every image flipped and cropped by torchvision with torch's global generator."""
    y = torch.arange(len(images))
    torch.manual_seed(3)
    batches = list(TorchvisionBatches(images, y, 16, torch.Generator().manual_seed(5)))
    loader = torch.utils.data.DataLoader(y, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(5))
    assert [yb.tolist() for _, yb in batches] == [b.tolist() for b in loader]
    assert len(TorchvisionBatches(images, y, 16, None)) == 4
    xb, yb = batches[0]
    assert xb.shape == (16, 3, 32, 32) and xb.dtype == torch.float32
    for x, k in zip(xb[:3], yb[:3]):
        assert any(torch.equal(x, _torchvision_one(images[k], *d)) for d in DRAWS)
    assert not all(torch.equal(x, normalize(images[k:k + 1])[0]) for x, k in zip(xb, yb))
    torch.manual_seed(3)
    again = list(TorchvisionBatches(images, y, 16, torch.Generator().manual_seed(5)))
    assert all(torch.equal(a[0], b[0]) for a, b in zip(batches, again))


def test_augment_uses_only_its_generator(images):
    torch.manual_seed(0)
    a = augment(images, torch.Generator().manual_seed(9))
    torch.manual_seed(1)
    b = augment(images, torch.Generator().manual_seed(9))
    assert torch.equal(a, b)


def test_listing_loader_is_the_listings_dataloader():
    """``DataLoader(TensorDataset(x, y), batch_size, shuffle=True)``: the same batches in the same order, drawn
    from the generator given, or as in the listings from torch's global one."""
    x, y = torch.randn(23, 2), torch.arange(23)
    for seeded in (True, False):
        def generator():
            return torch.Generator().manual_seed(3) if seeded else None

        torch.manual_seed(4)
        ours = list(listing_loader(x, y, 5, generator()))
        torch.manual_seed(4)
        dataset = torch.utils.data.TensorDataset(x, y)
        reference = list(torch.utils.data.DataLoader(dataset, batch_size=5, shuffle=True, generator=generator()))
        assert len(ours) == len(reference) == 5
        for (xa, ya), (xb, yb) in zip(ours, reference):
            assert torch.equal(xa, xb) and torch.equal(ya, yb)
