"""Models: parameter counts against counts made here from the layer shapes, and the listings' quirks."""

import pytest
import torch
import torch.nn.functional as F

from classlab.models import CNN, Dense, DeepClassifier, DeepClassifierCorrected, count_parameters


def linear(n_in, n_out):
    return n_in * n_out + n_out


def conv(c_in, c_out, k):
    return c_in * c_out * k * k + c_out


def out_size(n, k, p, s=1):
    return (n + 2 * p - k) // s + 1


def test_dense_parameter_count():
    assert count_parameters(Dense()) == linear(3 * 32 * 32, 256) + linear(256, 64) + linear(64, 10)


def test_cnn_parameter_count_from_shapes():
    side = out_size(32, 5, 1)  # conv1
    side = side // 2  # pool
    side = out_size(side, 3, 1) // 2  # conv2, pool
    expected = conv(3, 32, 5) + conv(32, 64, 3) + linear(64 * side * side, 64) + linear(64, 10)
    assert count_parameters(CNN()) == expected


def test_outputs():
    x = torch.randn(4, 3, 32, 32)
    dense = Dense()(x)
    assert dense.shape == (4, 10)
    assert torch.allclose(dense.exp().sum(1), torch.ones(4), atol=1e-5)  # log-softmax
    logits = CNN()(x)
    assert logits.shape == (4, 10) and not torch.allclose(logits.exp().sum(1), torch.ones(4))  # no softmax


def test_layer_table_totals_are_the_counts():
    from classlab._questions.part1 import layer_table

    for model in (Dense(), CNN()):
        table = layer_table(model)
        assert table["total"] == count_parameters(model)
        assert sum(r["parameters"] for r in table["rows"]) == count_parameters(model)


def test_faithful_deep_classifier_hides_middle_layers():
    model = DeepClassifier(n_hidden=3, hidden_dim=8)
    names = {k.split(".")[0] for k in model.state_dict()}
    assert names == {"first", "last"}
    assert count_parameters(model) == linear(2, 8) + linear(8, 2)
    corrected = DeepClassifierCorrected(n_hidden=3, hidden_dim=8)
    assert count_parameters(corrected) == linear(2, 8) + 2 * linear(8, 8) + linear(8, 2)


def test_faithful_deep_classifier_reseeds_torch():
    torch.manual_seed(123)
    DeepClassifier(1, 4)
    after_faithful = torch.rand(3)
    torch.manual_seed(42)
    DeepClassifierCorrected(1, 4)
    assert torch.equal(after_faithful, torch.rand(3))
    # And the weights are the same whatever the seed before.
    torch.manual_seed(0)
    a = DeepClassifier(1, 4).first.weight.clone()
    torch.manual_seed(1)
    assert torch.equal(a, DeepClassifier(1, 4).first.weight)


def test_deep_classifier_takes_other_shapes():
    out = DeepClassifierCorrected(n_hidden=2, hidden_dim=5, n_features=3, n_classes=4)(torch.randn(6, 3))
    assert out.shape == (6, 4)


# ----------------------------------------------------------------------------- layer by layer, against the listings

# The architectures as the problem set states them: 1.3's listing (input_size = 1024, hidden_sizes =
# [256, 64], output_size = 10, x3 colour channels) and 1.5's words (conv 3->32 k5 p1, pool 2, conv 32->64
# k3 p1, pool 2, hidden 64, 10 classes).
DENSE_SHAPES = {"fc1.weight": (256, 3 * 1024), "fc1.bias": (256,), "fc2.weight": (64, 256), "fc2.bias": (64,),
                "fc3.weight": (10, 64), "fc3.bias": (10,)}
CNN_SHAPES = {"conv1.weight": (32, 3, 5, 5), "conv1.bias": (32,), "conv2.weight": (64, 32, 3, 3), "conv2.bias": (64,),
              "fc1.weight": (64, 64 * 7 * 7), "fc1.bias": (64,), "fc2.weight": (10, 64), "fc2.bias": (10,)}


def _shapes(model):
    return {k: tuple(v.shape) for k, v in model.named_parameters()}


def dense_reference(p, x):
    """1.3's forward, in functional form: flatten, fc1, ReLU, fc2, ReLU, fc3, log_softmax over classes."""
    x = x.reshape(x.shape[0], -1)
    x = F.relu(F.linear(x, p["fc1.weight"], p["fc1.bias"]))
    x = F.relu(F.linear(x, p["fc2.weight"], p["fc2.bias"]))
    return F.log_softmax(F.linear(x, p["fc3.weight"], p["fc3.bias"]), dim=1)


def cnn_reference(p, x):
    """1.5's CNN: conv(5, padding 1), SiLU, max-pool 2; conv(3, padding 1), SiLU, max-pool 2; hidden 64 with ReLU;
    a final linear layer to the 10 classes; no softmax."""
    x = F.max_pool2d(F.silu(F.conv2d(x, p["conv1.weight"], p["conv1.bias"], padding=1)), 2, 2)
    x = F.max_pool2d(F.silu(F.conv2d(x, p["conv2.weight"], p["conv2.bias"], padding=1)), 2, 2)
    x = F.relu(F.linear(x.flatten(1), p["fc1.weight"], p["fc1.bias"]))
    return F.linear(x, p["fc2.weight"], p["fc2.bias"])


def deep_reference(first, between, last, x):
    """2.3's listing: leaky_relu after the first and each middle layer, log_softmax at the end."""
    x = F.leaky_relu(F.linear(x, *first), negative_slope=0.01)
    for layer in between:
        x = F.leaky_relu(F.linear(x, *layer), negative_slope=0.01)
    return F.log_softmax(F.linear(x, *last), dim=1)


def test_dense_layers_are_the_listings():
    model = Dense()
    assert _shapes(model) == DENSE_SHAPES
    x = torch.randn(5, 3, 32, 32)
    assert torch.equal(model(x), dense_reference(dict(model.named_parameters()), x))


def test_cnn_layers_are_the_problem_sets():
    model = CNN()
    assert _shapes(model) == CNN_SHAPES
    assert [type(m).__name__ for _, m in model.named_children()] == ["Conv2d", "MaxPool2d", "Conv2d", "Linear", "Linear"]
    x = torch.randn(5, 3, 32, 32)
    assert torch.equal(model(x), cnn_reference(dict(model.named_parameters()), x))
    # channels-last, as training runs it on the CPU, computes the same function
    model_cl = CNN().to(memory_format=torch.channels_last)
    model_cl.load_state_dict(model.state_dict())
    torch.testing.assert_close(model_cl(x.contiguous(memory_format=torch.channels_last)), model(x),
                               rtol=1e-5, atol=1e-5)


def test_parameter_counts_from_the_stated_architecture():
    from math import prod

    assert count_parameters(Dense()) == sum(prod(s) for s in DENSE_SHAPES.values())
    assert count_parameters(CNN()) == sum(prod(s) for s in CNN_SHAPES.values())


@pytest.mark.parametrize("cls", [DeepClassifier, DeepClassifierCorrected])
@pytest.mark.parametrize("n_hidden,width", [(1, 2), (3, 8)])
def test_deep_classifier_is_the_listing(cls, n_hidden, width):
    model = cls(n_hidden=n_hidden, hidden_dim=width)
    assert (tuple(model.first.weight.shape), tuple(model.last.weight.shape)) == ((width, 2), (2, width))
    assert len(model.between) == n_hidden - 1
    assert all(tuple(m.weight.shape) == (width, width) for m in model.between)
    x = torch.randn(7, 2) * 3  # both signs, so that leaky_relu's slope matters
    expected = deep_reference((model.first.weight, model.first.bias), [(m.weight, m.bias) for m in model.between],
                              (model.last.weight, model.last.bias), x)
    assert torch.equal(model(x), expected)


def test_faithful_and_corrected_classifiers_compute_the_same_function():
    faithful, corrected = DeepClassifier(3, 8), DeepClassifierCorrected(3, 8)
    with torch.no_grad():
        for a, b in zip([faithful.first, *faithful.between, faithful.last],
                        [corrected.first, *corrected.between, corrected.last]):
            b.weight.copy_(a.weight)
            b.bias.copy_(a.bias)
    x = torch.randn(9, 2)
    assert torch.equal(faithful(x), corrected(x))
    assert isinstance(faithful.between, list) and isinstance(corrected.between, torch.nn.ModuleList)


def test_both_classifiers_default_to_the_listings_shape():
    """The listing's defaults: one hidden layer of 32, two features, two classes."""
    for model in (DeepClassifier(), DeepClassifierCorrected()):
        assert model.n_hidden == 1 and len(model.between) == 0
        assert tuple(model.first.weight.shape) == (32, 2) and tuple(model.last.weight.shape) == (2, 32)
