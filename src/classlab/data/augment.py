"""The problem set's transform, done on whole batches of uint8 tensors.

Problem set 10 uses, per image through PIL::

    RandomHorizontalFlip() -> RandomCrop(32, padding=4) -> ToTensor() -> Normalize(MEAN, STD)

Here the same thing runs on a batch at once: each image is flipped with probability 1/2,
zero-padded by 4 and cropped at an offset drawn uniformly from {0..8} x {0..8}, exactly
torchvision's distribution (tests compare the two image by image for the same draws).
The padding is zero in uint8 space, as PIL pads, so it becomes ``-mean/std`` after Normalize.
"""

import functools

import torch

MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2023, 0.1994, 0.2010)
PADDING = 4


@functools.lru_cache(maxsize=None)
def _constants(mean, std, device):
    # Made once per device: no host-to-device copy per batch when the data lives on a GPU.
    return (torch.tensor(mean, device=device).view(1, -1, 1, 1), torch.tensor(std, device=device).view(1, -1, 1, 1))


def normalize(x_uint8, mean=MEAN, std=STD):
    """ToTensor + Normalize for a uint8 batch (N, 3, H, W) -> float32, in torchvision's order of operations."""
    mean, std = _constants(tuple(mean), tuple(std), x_uint8.device)
    return x_uint8.float().div_(255).sub_(mean).div_(std)


def sample_flip_crop(n, generator, padding=PADDING, device="cpu"):
    """Draw, for ``n`` images, whether to flip and the crop's top-left corner (i, j)."""
    flip = torch.rand(n, generator=generator, device=device) < 0.5
    ij = torch.randint(0, 2 * padding + 1, (2, n), generator=generator, device=device)
    return flip, ij[0], ij[1]


def flip_crop(x, flip, i, j, padding=PADDING):
    """Flip the images where ``flip`` is set, zero-pad by ``padding`` and crop at (i, j).

    All three are one ``gather`` over flat pixel indices of the padded batch: no loop over
    images or offsets, and no flipped copy (a flipped image's crop reads its columns backwards).
    """
    n, c, h, w = x.shape
    padded = torch.nn.functional.pad(x, (padding,) * 4)
    width = w + 2 * padding
    rows = i.view(n, 1, 1) + torch.arange(h, device=x.device).view(1, h, 1)
    cols = j.view(n, 1, 1) + torch.arange(w, device=x.device).view(1, 1, w)
    # Flipping first, then padding, puts original column `width - 1 - col` of the padded image at `col`.
    cols = torch.where(flip.view(n, 1, 1), width - 1 - cols, cols)
    index = (rows * width + cols).view(n, 1, h * w).expand(n, c, h * w)
    return padded.view(n, c, -1).gather(2, index).view(n, c, h, w)


def flip_crop_random(x_uint8, generator):
    """Random flip and crop of a uint8 batch, staying uint8 (4x smaller than the normalized floats)."""
    flip, i, j = sample_flip_crop(len(x_uint8), generator, device=x_uint8.device)
    return flip_crop(x_uint8, flip, i, j)


def augment(x_uint8, generator):
    """The problem set's training transform on a uint8 batch, returning normalized float32."""
    return normalize(flip_crop_random(x_uint8, generator))


def torchvision_transform(*, train):
    """The problem set's per-image torchvision transform (the reference the batched path matches)."""
    from torchvision import transforms

    steps = [transforms.RandomHorizontalFlip(), transforms.RandomCrop(32, padding=PADDING)] if train else []
    return transforms.Compose(steps + [transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
