"""Part 1, Recognizing Objects: problems 1.1-1.8 on CIFAR-10.

Each ``q1_*`` composes the pieces (data, models, unit results, figures) into one answer.
"""

from ..answers import Answer, Pitfall, seed_answer
from ..models import CNN, Dense, count_parameters
from ..units import CifarNet, CifarSVC

WHERE_TEST = "Problem 1, setup listing: test_dataset = datasets.CIFAR10(..., transform=transform)"


def units(question, settings, seeds):
    return {
        "1.4": [CifarNet("dense", s) for s in seeds],
        "1.6": [CifarNet("cnn", s) for s in seeds],
        "1.7": [CifarSVC(s) for s in seeds],
        "1.8": [CifarSVC(s) for s in seeds],
    }.get(question, [])


def q1_1(ctx, results, seeds, figures):
    data = ctx.cifar_full
    n_train, n_test = len(data.train_y), len(data.test_y)
    notes = [f"{n_train:,} training images, {n_test:,} test images."]
    if data.skipped_images:
        notes.append(f"{data.skipped_images} unreadable image(s) were skipped (--skip-bad-images).")
    return Answer("1.1", "How much larger is the training set than the test set?", n_train / n_test,
                  unit="times", details={"train_size": n_train, "test_size": n_test}, notes=notes)


def q1_2(ctx, results, seeds, figures):
    data = ctx.cifar_full
    labels = data.train_y[:5].tolist()
    names = [data.classes[i] for i in labels]
    notes = []
    if data.form.startswith("image"):
        notes.append("This copy is an image folder: the original sample order is lost, and classlab "
                     "interleaves the classes, so the first five images are not the original's.")
    return Answer("1.2", "What do the first 5 pictures in the training set represent?", names,
                  details={"labels": labels}, notes=notes,
                  figures=[figures.images(data.train_x[:5].cpu(), names, "1.2-first-five",
                                          "The first five training images")])


def q1_3(ctx, results, seeds, figures):
    return Answer("1.3", "How many parameters does the dense model (3072-256-64-10) have?",
                  count_parameters(Dense()), unit="parameters", details={"layers": _layer_table(Dense())})


def q1_5(ctx, results, seeds, figures):
    return Answer("1.5", "How many parameters does the CNN have?", count_parameters(CNN()), unit="parameters",
                  details={"layers": _layer_table(CNN())})


def _net_answer(id, question, model, ctx, results, seeds, figures):
    runs = [results[CifarNet(model, s).key] for s in seeds]
    first = runs[0]
    label = {"dense": "Dense net", "cnn": "CNN"}[model]
    classes = list(ctx.cifar_full.classes)
    figs = [
        figures.learning_curves(first["history"], f"{id}-{model}-curves", f"{label}, seed {first['seed']}"),
        figures.confusion(first["corrected"]["confusion"], classes, f"{id}-{model}-confusion",
                          f"{label} on the clean test set, seed {first['seed']}"),
    ]
    epochs = len(first["history"]["train_loss"])
    return seed_answer(id, question, [(r["seed"], r["faithful"]["accuracy"], r["corrected"]["accuracy"]) for r in runs],
                       digits=2, unit="accuracy", figures=figs,
                       notes=[f"{epochs} epochs, Adam lr={ctx.settings.lr}, batch size {ctx.settings.batch_size}. "
                              "Faithful: test images flipped and cropped at random, as the problem set loads them; "
                              "corrected: the clean test set."],
                       details={"train_seconds": [r["seconds"]["train"] for r in runs]})


def q1_4(ctx, results, seeds, figures):
    return _net_answer("1.4", f"Test accuracy of the dense model after {_epochs(ctx.settings.epochs)}", "dense", ctx,
                       results, seeds, figures)


def q1_6(ctx, results, seeds, figures):
    return _net_answer("1.6", f"Test accuracy of the CNN after {_epochs(ctx.settings.epochs)}", "cnn", ctx, results,
                       seeds, figures)


def q1_7(ctx, results, seeds, figures):
    runs = [results[CifarSVC(s).key] for s in seeds]
    first = runs[0]
    cm = figures.confusion(first["corrected"]["confusion"], list(ctx.cifar_full.classes), "1.7-svc-confusion",
                           f"RBF SVC on the clean test set, seed {first['seed']}")
    return seed_answer("1.7", f"Test accuracy of SVC(kernel='rbf') trained on the first {first['train_points']:,} "
                       "training points",
                       [(r["seed"], r["faithful"]["accuracy"], r["corrected"]["accuracy"]) for r in runs],
                       digits=2, unit="accuracy", figures=[cm],
                       notes=[f"Trained on the first {first['train_points']:,} training images as flattened "
                              "normalized pixels. Faithful: pixels taken through the augmenting transform."])


def q1_8(ctx, results, seeds, figures):
    runs = [results[CifarSVC(s).key] for s in seeds]
    first = runs[0]
    return seed_answer("1.8", "How many support vectors does the SVC have?",
                       [(r["seed"], r["faithful"]["n_support"], r["corrected"]["n_support"]) for r in runs],
                       digits=None, unit="support vectors",
                       details={"per_class": first["faithful"]["n_support_per_class"],
                                "per_class_corrected": first["corrected"]["n_support_per_class"],
                                "train_points": first["train_points"]},
                       notes=[f"Out of {first['train_points']:,} training points. Per class "
                              f"({', '.join(ctx.cifar_full.classes)}): {first['faithful']['n_support_per_class']}; "
                              f"corrected: {first['corrected']['n_support_per_class']}."])


def pitfalls(answers):
    out = []
    for id, model in (("1.4", "dense net"), ("1.6", "CNN")):
        if id in answers:
            a = answers[id]
            out.append(Pitfall(f"test-augmentation-{id}", f"The test set is loaded with the training transform, so "
                               f"the {model} is scored on randomly flipped and cropped test images.", WHERE_TEST,
                               a.value, a.corrected["value"],
                               f"accuracy {a.display} as written, {a.corrected['display']} on the clean test set"))
    if "1.7" in answers:
        a = answers["1.7"]
        out.append(Pitfall("svc-augmented-pixels", "The SVC's numpy arrays are taken from data sets loaded with the "
                           "augmenting transform: random flips and crops, on training and test images alike.",
                           "Problem 1.7 with the setup listing's datasets", a.value, a.corrected["value"],
                           f"accuracy {a.display} as written, {a.corrected['display']} on clean pixels"))
    return out


def _epochs(n):
    return f"{n} epoch" + ("s" if n != 1 else "")


def _layer_table(model):
    """Per-layer output shapes and parameter counts, from torchinfo."""
    from torchinfo import summary

    stats = summary(model, input_size=(1, 3, 32, 32), verbose=0, device="cpu")
    rows = [{"layer": f"{layer.class_name}", "name": layer.var_name, "output_shape": list(layer.output_size),
             "parameters": layer.num_params}
            for layer in stats.summary_list if layer.depth == 1]
    return {"rows": rows, "total": stats.total_params}
