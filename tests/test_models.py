"""Models: parameter counts against counts made here from the layer shapes, and the listings' quirks."""

import torch

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
    from classlab.questions.part1 import _layer_table

    for model in (Dense(), CNN()):
        table = _layer_table(model)
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
