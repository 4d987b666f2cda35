"""Part 1, Recognizing Objects: problems 1.1-1.8 on CIFAR-10."""

from functools import partial

from .._answers import Answer, Pitfall, Plot, seed_answer
from ..settings import DEFAULT
from .registry import question, thousands

# Declaring a question imports none of the code that computes it (torch and the units come in when a run plans or
# answers), so that the key, the checker and grading read the registry at once.

WHERE_TEST = "Problem 1, setup listing: test_dataset = datasets.CIFAR10(..., transform=transform)"
CLEAN_TEST = ("This is the accuracy on the clean test set. The problem set's setup listing loads the test set with "
              "the training transform (random flips and crops), and the quiz asks for the accuracy measured that "
              "way: scoring on clean test images is correct practice, but not what the listing computes.")
SVC_PITFALL = "svc-augmented-pixels"
CLEAN_PIXELS = ("This is the SVC fitted on clean pixels. The problem set's data sets carry the augmenting "
                "transform, so numpy arrays taken from them are randomly flipped and cropped (training and test "
                "images alike): clean pixels are correct practice, but not what the listing computes.")


def _facts(s, seeds):
    from .._units import CifarFacts

    return CifarFacts()


def _epochs(n):
    return f"{n} epoch" + ("s" if n != 1 else "")


@question("1.1", points=0.5, digits=None, unit="times", needs=["cifar"],
          text="How much larger is the training set in comparison to the test set?",
          label="How much larger is the training set than the test set?",
          units=_facts)
def q1_1(q, run):
    facts = run.results
    n_train, n_test = facts["train_size"], facts["test_size"]
    notes = [f"{n_train:,} training images, {n_test:,} test images."]
    if facts["skipped_images"]:
        notes.append(f"{facts['skipped_images']} unreadable image(s) were skipped (--skip-bad-images).")
    return Answer.of(q, run.settings, n_train / n_test, details={"train_size": n_train, "test_size": n_test},
                     notes=notes)


@question("1.2", points=0.5, digits=None, needs=["cifar"], kind="classes",
          text="What do the first 5 pictures in the training set represent?",
          label="What do the first 5 pictures in the training set represent?",
          units=_facts)
def q1_2(q, run):
    facts = run.results
    labels = facts["first_five"]["labels"]
    names = [facts["classes"][i] for i in labels]
    notes = []
    if facts["form"].startswith("image"):
        notes.append("This copy is an image folder: the original sample order is lost, and classlab "
                     "interleaves the classes, so the first five images are not the original's.")
    plot = Plot("1.2-first-five", "images", "The first five training images",
                {"pixels": facts["first_five"]["pixels"], "titles": names})
    return Answer.of(q, run.settings, names, details={"labels": labels}, notes=notes, plots=[plot])


def _dense_shape(s):
    from ..models import input_size, output_size

    return "-".join(str(n) for n in (3 * input_size, *s.dense_hidden_sizes, output_size))


@question("1.3", points=1.0, digits=None, unit="parameters",
          text=lambda s: "How many parameters does the linear model from above have?" + (
              f" (Here with hidden_sizes = {list(s.dense_hidden_sizes)}.)"
              if s.dense_hidden_sizes != DEFAULT.dense_hidden_sizes else ""),
          label=lambda s: f"How many parameters does the dense model ({_dense_shape(s)}) have?")
def q1_3(q, run):
    from ..models import Dense, count_parameters

    model = Dense(run.settings.dense_hidden_sizes)
    return Answer.of(q, run.settings, count_parameters(model), details={"layers": layer_table(model)})


def _net_units(model, s, seeds):
    from .._units import CifarFacts, CifarNet

    return {"facts": CifarFacts(), "runs": [CifarNet(model, seed) for seed in seeds]}


def _net_answer(q, run, model):
    from .._units import NETS

    facts, runs = run.results["facts"], run.results["runs"]
    first, s = runs[0], run.settings
    name = NETS[model].name
    plots = [
        Plot(f"{q.id}-{model}-curves", "curves", f"{name}, seed {first['seed']}", first["history"]),
        Plot(f"{q.id}-{model}-confusion", "confusion", f"{name} on the clean test set, seed {first['seed']}",
             {"matrix": first["corrected"]["confusion"], "labels": facts["classes"]}),
    ]
    epochs = len(first["history"]["train_loss"])
    answer = seed_answer(q, s, [(r["seed"], r["faithful"]["accuracy"], r["corrected"]["accuracy"]) for r in runs],
                         plots=plots, details={"train_seconds": [r["seconds"]["train"] for r in runs]},
                         notes=[f"{epochs} epochs, Adam lr={s.lr}, batch size {s.batch_size}. Faithful: test images "
                                "flipped and cropped at random, as the problem set loads them; corrected: the clean "
                                "test set."])
    answer.pitfalls.append(Pitfall(
        q.pitfall, f"The test set is loaded with the training transform, so the "
        f"{'dense net' if model == 'dense' else name} is scored on randomly flipped and cropped test images.",
        WHERE_TEST, answer.value, answer.corrected["value"],
        f"accuracy {answer.display} as written, {answer.corrected['display']} on the clean test set"))
    return answer


@question("1.4", points=1.0, digits=2, unit="accuracy", needs=["cifar"], units=partial(_net_units, "dense"),
          corrected_means=CLEAN_TEST, pitfall="test-augmentation-1.4",
          text=lambda s: f"Train the deep model for only {s.epochs} epochs using criterion = nn.NLLLoss() and "
                         f"optimizer = optim.Adam(model.parameters(), lr={s.lr:g}). Report the accuracy on the test "
                         "set rounded to 2 digits after the decimal point.",
          label=lambda s: f"Test accuracy of the dense model after {_epochs(s.epochs)}")
def q1_4(q, run):
    return _net_answer(q, run, "dense")


@question("1.5", points=1.0, digits=None, unit="parameters",
          text="Write a convolutional neural network (CNN) that uses nn.Conv2d(3, 32, kernel_size=5, padding=1), "
               "nn.MaxPool2d(2, 2), nn.Conv2d(32, 64, kernel_size=3, padding=1), nn.MaxPool2d(2, 2), a hidden "
               "layer of size 64 and a final linear layer that reduces to the necessary number of samples. In that "
               "order. Use SiLU activation after both convolutions and ReLU after the last hidden layer. This time, "
               "do not apply the softmax function. How many parameters does this CNN have?",
          label="How many parameters does the CNN have?")
def q1_5(q, run):
    from ..models import CNN, count_parameters

    return Answer.of(q, run.settings, count_parameters(CNN()), details={"layers": layer_table(CNN())})


@question("1.6", points=1.0, digits=2, unit="accuracy", needs=["cifar"], units=partial(_net_units, "cnn"),
          corrected_means=CLEAN_TEST, pitfall="test-augmentation-1.6",
          text=lambda s: f"Train the CNN with the similar settings as the feed forward model: {s.epochs} epochs, Adam "
                         f"optimizer with lr={s.lr:g}, CrossEntropyLoss (since we do not apply the logarithmic "
                         "softmax). Report the accuracy on the test rounded to 2 digits after the decimal point.",
          label=lambda s: f"Test accuracy of the CNN after {_epochs(s.epochs)}")
def q1_6(q, run):
    return _net_answer(q, run, "cnn")


def _svc_units(s, seeds):
    from .._units import CifarFacts, CifarSVC

    return {"facts": CifarFacts(), "runs": [CifarSVC(seed) for seed in seeds]}


@question("1.7", points=0.5, digits=2, unit="accuracy", needs=["cifar"], units=_svc_units, corrected_means=CLEAN_PIXELS,
          pitfall=SVC_PITFALL,
          text=lambda s: "Turn the pytorch sets into numpy arrays if necessary and train an SVC classifier "
                         "SVC(kernel='rbf') with the default settings. Use only the first "
                         f"{thousands(s.svc_train_points)} points from the training set. Report the accuracy on the "
                         "test set rounded to 2 digits after the decimal point.",
          label=lambda s: f"Test accuracy of SVC(kernel='rbf') trained on the first {s.svc_train_points:,} "
                          "training points")
def q1_7(q, run):
    facts, runs = run.results["facts"], run.results["runs"]
    first = runs[0]
    plot = Plot("1.7-svc-confusion", "confusion", f"RBF SVC on the clean test set, seed {first['seed']}",
                {"matrix": first["corrected"]["confusion"], "labels": facts["classes"]})
    answer = seed_answer(q, run.settings,
                         [(r["seed"], r["faithful"]["accuracy"], r["corrected"]["accuracy"]) for r in runs],
                         plots=[plot], notes=[f"Trained on the first {first['train_points']:,} training images as "
                                              "flattened normalized pixels. Faithful: pixels taken through the "
                                              "augmenting transform."])
    answer.pitfalls.append(Pitfall(
        q.pitfall, "The SVC's numpy arrays are taken from data sets loaded with the augmenting "
        "transform: random flips and crops, on training and test images alike.",
        "Problem 1.7 with the setup listing's datasets", answer.value, answer.corrected["value"],
        f"accuracy {answer.display} as written, {answer.corrected['display']} on clean pixels"))
    return answer


@question("1.8", points=0.5, digits=None, unit="support vectors", needs=["cifar"], units=_svc_units,
          corrected_means=CLEAN_PIXELS, pitfall=SVC_PITFALL,
          text=lambda s: "As SVMs are sparse kernel models, they make use with less parameters than there is "
                         "training data (they only use the support vectors). How many support vectors or "
                         f"\"parameters\" has the SVC model (for reference, you used {thousands(s.svc_train_points)} "
                         "training points)?",
          label="How many support vectors does the SVC have?")
def q1_8(q, run):
    facts, runs = run.results["facts"], run.results["runs"]
    first = runs[0]
    return seed_answer(q, run.settings,
                       [(r["seed"], r["faithful"]["n_support"], r["corrected"]["n_support"]) for r in runs],
                       details={"per_class": first["faithful"]["n_support_per_class"],
                                "per_class_corrected": first["corrected"]["n_support_per_class"],
                                "train_points": first["train_points"]},
                       notes=[f"Out of {first['train_points']:,} training points. Per class "
                              f"({', '.join(facts['classes'])}): {first['faithful']['n_support_per_class']}; "
                              f"corrected: {first['corrected']['n_support_per_class']}."])


def layer_table(model):
    """Per-layer output shapes and parameter counts, from torchinfo."""
    from torchinfo import summary

    stats = summary(model, input_size=(1, 3, 32, 32), verbose=0, device="cpu")
    rows = [{"layer": f"{layer.class_name}", "name": layer.var_name, "output_shape": list(layer.output_size),
             "parameters": layer.num_params}
            for layer in stats.summary_list if layer.depth == 1]
    return {"rows": rows, "total": stats.total_params}
