"""Where the problem set's code as written (*faithful*) and correct practice (*corrected*) part.

Every difference between the two protocols is one function here, so that the units stay the same
for both and the tests can check each difference at the level of the data it produces.

* ``cifar_test_batches``: the setup listing loads the test set with the *training* transform,
  so faithful test images are randomly flipped and cropped; corrected ones are clean.
* ``svc_pixels``: the SVC's arrays come from those same data sets: faithful pixels are
  augmented (training and test alike), corrected ones clean.
* ``points_net``: the DeepClassifier listing keeps its middle layers in a plain list and calls
  ``torch.manual_seed(42)`` in ``__init__``, so the data order comes from that reseeded global
  generator; corrected uses ``nn.ModuleList`` and is seeded once by the run.
"""

FAITHFUL, CORRECTED = "faithful", "corrected"
PROTOCOLS = (FAITHFUL, CORRECTED)


def cifar_test_batches(protocol, x, y, batch_size, generator, pipeline="tensor"):
    """The test set in order, as the protocol scores it (augmented with ``generator``'s draws, or clean)."""
    from .data.batches import PIPELINES  # here: the protocols' names are read where torch is not needed

    return PIPELINES[pipeline](x, y, batch_size, generator, train_transform=protocol == FAITHFUL, shuffle=False)


def svc_pixels(protocol, x_uint8, generator):
    """The SVC's images (still uint8): flipped and cropped at random, or as they are."""
    from .data.augment import flip_crop_random

    return flip_crop_random(x_uint8, generator) if protocol == FAITHFUL else x_uint8


def points_net(protocol, seed, **shape):
    """The part 2 net and the generator its DataLoader draws the order from.

    Faithful: the listing's class, whose ``__init__`` reseeds torch's global generator with 42,
    and no generator of the loader's own, so the order comes from that global one as in a
    student's script (the run's ``seed`` plays no part). Corrected: seeded once, here.
    """
    from .models import DeepClassifier, DeepClassifierCorrected
    from .training import seed_everything

    if protocol == FAITHFUL:
        return DeepClassifier(**shape), None
    generator = seed_everything(seed)
    return DeepClassifierCorrected(**shape), generator
