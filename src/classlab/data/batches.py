"""Mini-batches over images held as uint8 tensors: the DataLoader of the problem set, batched.

``TensorBatches`` is the fast default (``--pipeline tensor``): shuffling, flip/crop and
normalization run on whole batches on the data's device. ``TorchvisionBatches``
(``--pipeline torchvision``) is the problem set's own per-image path (PIL + torchvision
transforms + DataLoader), kept for exactness checks.
"""

import torch

from .augment import augment, normalize, torchvision_transform


def image_transform(train):
    """The problem set's transform for uint8 image batches: augment+normalize, or normalize only."""
    return augment if train else (lambda x, generator: normalize(x))


class TensorBatches:
    """Yield ``(transform(x, generator), y)`` batches, reshuffled every epoch if ``shuffle``.

    Randomness (order, and flips/crops of the image transform) comes from ``generator``
    only, so a run is reproducible and resumable from the generator's state. Images
    default to the problem set's training transform; pass ``transform=None`` for data
    used as it is (the 2-D points).
    """

    CHUNK_IMAGES = 1000

    def __init__(self, x, y, batch_size, generator, train_transform=True, shuffle=True, transform="image"):
        self.x, self.y = x, y
        self.batch_size, self.generator, self.shuffle = batch_size, generator, shuffle
        self.transform = image_transform(train_transform) if transform == "image" else transform

    def __len__(self):
        return -(-len(self.y) // self.batch_size)

    def __iter__(self):
        n = len(self.y)
        if self.shuffle:
            order = torch.randperm(n, generator=self.generator, device=self.generator.device).to(self.x.device)
        else:
            order = torch.arange(n, device=self.x.device)
        # Transform a chunk of whole batches at once: per-call overhead, not arithmetic, is
        # what costs at batch size 50. Each image still gets its own independent draw.
        chunk = self.batch_size * max(1, self.CHUNK_IMAGES // self.batch_size)
        for c in range(0, n, chunk):
            idx = order[c:c + chunk]
            xc, yc = self.x[idx], self.y[idx]
            if self.transform is not None:
                xc = self.transform(xc, self.generator)
            for start in range(0, len(idx), self.batch_size):
                yield xc[start:start + self.batch_size], yc[start:start + self.batch_size]


class _PilDataset(torch.utils.data.Dataset):
    """What torchvision's CIFAR10 does per item: uint8 HWC array -> PIL image -> transform."""

    def __init__(self, x, y, transform):
        self.x = x.permute(0, 2, 3, 1).cpu().numpy()
        self.y = y.cpu().tolist()
        self.transform = transform

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        from PIL import Image

        return self.transform(Image.fromarray(self.x[i])), self.y[i]


class TorchvisionBatches:
    """The problem set's DataLoader over torchvision transforms (flips/crops use torch's global RNG)."""

    def __init__(self, x, y, batch_size, generator, train_transform=True, shuffle=True):
        self.device = x.device
        self.loader = torch.utils.data.DataLoader(
            _PilDataset(x, y, torchvision_transform(train=train_transform)),
            batch_size=batch_size, shuffle=shuffle, generator=generator if shuffle else None)

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        for xb, yb in self.loader:
            yield xb.to(self.device), yb.to(self.device)


class _WholeBatches(torch.utils.data.TensorDataset):
    """A TensorDataset that hands the DataLoader a whole batch at once (``__getitems__``).

    Same indices, same values as fetching item by item and stacking: only the per-item
    Python calls are saved, which dominate for the tiny nets of part 2.
    """

    def __getitems__(self, indices):
        index = torch.as_tensor(indices)
        return tuple(t[index] for t in self.tensors)


def listing_loader(x, y, batch_size, generator=None):
    """``DataLoader(TensorDataset(x, y), batch_size, shuffle=True)`` as the listings build it.

    The order comes from torch's sampler drawing on ``generator``, or, as in the listings (no
    generator), on torch's global generator: exactly the order a student's loop sees.
    """
    return torch.utils.data.DataLoader(_WholeBatches(x, y), batch_size=batch_size, shuffle=True,
                                       generator=generator, collate_fn=_as_is)


def _as_is(batch):
    return batch


PIPELINES = {"tensor": TensorBatches, "torchvision": TorchvisionBatches}
