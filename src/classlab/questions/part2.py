"""Part 2, Learning Features: problems 2.1-2.4 on the 2-D points.

Under the faithful protocol ``DeepClassifier`` seeds torch itself (``torch.manual_seed(42)``
in ``__init__``), so its answers are the same for every run seed: those units run once
(seed ``PINNED``) and the answers say so. The corrected protocol runs once per seed.
"""

import numpy as np

from ..answers import Answer, Pitfall, seed_answer, spread
from ..adapters import TorchClassifier
from ..units import PointsLogReg, PointsNet, points_model

PINNED = 42  # the seed DeepClassifier.__init__ sets, standing for "the run's seed plays no part"
PINNED_NOTE = ("Faithful answers are the same for every seed: the listing's DeepClassifier calls "
               "torch.manual_seed(42) in __init__, which fixes both its weights and the data order.")
WHERE_LIST = "Problem 2.3, DeepClassifier listing: self.between = [nn.Linear(...) for i in range(self.n_hidden-1)]"
WHERE_SEED = "Problem 2.3, DeepClassifier listing: torch.manual_seed(42) inside __init__"


def _nets(settings, seeds, widths, n_hidden=1):
    return ([PointsNet("faithful", n_hidden, w, PINNED) for w in widths]
            + [PointsNet("corrected", n_hidden, w, s) for w in widths for s in seeds])


def units(question, settings, seeds):
    s = settings
    return {
        "2.1": [PointsLogReg()],
        "2.2": [PointsLogReg()],
        "2.3": _nets(s, seeds, [s.first_width]),
        "2.4": [PointsLogReg()] + _nets(s, seeds, s.widths)
        + _nets(s, seeds[:1], [s.pitfall_width], n_hidden=s.pitfall_n_hidden),
    }.get(question, [])


def q2_1(ctx, results, seeds, figures):
    return Answer("2.1", "Test accuracy of logistic regression on the 50:50 split", results["logreg"]["accuracy"],
                  digits=3, unit="accuracy", seed_pinned=True,
                  notes=[f"LogisticRegression() on train_test_split(test_size=0.5, random_state="
                         f"{ctx.settings.split_random_state}); deterministic, no seed involved. "
                         f"Data: {ctx.points.source}."])


def q2_2(ctx, results, seeds, figures):
    X, y = ctx.points.X, ctx.points.y
    notes, figs = [], []
    if X.shape[1] == 2:
        figs.append(figures.boundaries([("logistic regression", _logreg(ctx))], X, y, _train_mask(ctx),
                                       "2.2-logreg-boundary", "Logistic regression's decision boundary"))
    else:
        notes.append(f"Skipped: the data has {X.shape[1]} features, a boundary plot needs exactly 2.")
    return Answer("2.2", "The learned decision boundary over a scatter plot of all data",
                  figs[0] if figs else "skipped", figures=figs, seed_pinned=True,
                  notes=notes + ["Logistic regression is a network without hidden layers: its boundary is a straight line."])


def q2_3(ctx, results, seeds, figures):
    w = ctx.settings.first_width
    answer = _width_answer("2.3", f"Test accuracy of DeepClassifier(n_hidden=1, hidden_dim={w}) after "
                           f"{ctx.settings.points_epochs} epochs", w, results, seeds)
    answer.notes.append(f"Batch size {ctx.settings.points_batch_size} (the problem set gives none; as in part 1).")
    return answer


def _width_answer(id, question, width, results, seeds):
    faithful = results[PointsNet("faithful", 1, width, PINNED).key]["accuracy"]
    corrected = [results[PointsNet("corrected", 1, width, s).key]["accuracy"] for s in seeds]
    answer = seed_answer(id, question, [(s, faithful, c) for s, c in zip(seeds, corrected)], digits=3,
                         unit="accuracy", seed_pinned=True, notes=[PINNED_NOTE])
    if answer.spread:
        answer.spread.pop("faithful")
    return answer


def q2_4(ctx, results, seeds, figures):
    s = ctx.settings
    table = {
        "widths": list(s.widths),
        "faithful": [results[PointsNet("faithful", 1, w, PINNED).key]["accuracy"] for w in s.widths],
        "corrected": {seed: [results[PointsNet("corrected", 1, w, seed).key]["accuracy"] for w in s.widths]
                      for seed in seeds},
    }
    per_seed = [(seed, smallest_width(s.widths, table["faithful"], s.target_accuracy),
                 smallest_width(s.widths, table["corrected"][seed], s.target_accuracy)) for seed in seeds]
    answer = seed_answer("2.4", f"Smallest hidden width with test accuracy >= {s.target_accuracy}", per_seed,
                         digits=None, unit="hidden units", seed_pinned=True, details={"table": table},
                         notes=[PINNED_NOTE])
    if len(seeds) > 1:
        counts = {}
        for _, _, c in per_seed:
            counts[str(c)] = counts.get(str(c), 0) + 1
        answer.spread = {"corrected": {"n": len(seeds), "smallest_width_counts": counts,
                                       "accepted": ", ".join(sorted(counts, key=_width_order))}}
        accs = np.array([table["corrected"][seed] for seed in seeds])
        answer.details["corrected_accuracy_spread"] = [spread(list(col), 3) for col in accs.T]
    answer.figures = [figures.width_sweep(s.widths, {"faithful": table["faithful"],
                                                     f"corrected (seed {seeds[0]})": table["corrected"][seeds[0]]},
                                          s.target_accuracy, "2.4-width-sweep", "Test accuracy against hidden width")]
    X, y = ctx.points.X, ctx.points.y
    if X.shape[1] == 2:
        panels = [("logistic regression", _logreg(ctx))] + [
            (f"width {w}: {a:.3f}", TorchClassifier(points_model(results[PointsNet("faithful", 1, w, PINNED).key],
                                                                 X.shape[1], ctx.points.n_classes),
                                                    ctx.points.n_classes))
            for w, a in zip(s.widths, table["faithful"])]
        answer.figures.append(figures.boundaries(panels, X, y, _train_mask(ctx), "2.4-boundaries",
                                                 "Decision boundaries as the hidden layer widens (faithful)"))
    else:
        answer.notes.append(f"Boundary figures skipped: the data has {X.shape[1]} features, not 2.")
    return answer


def smallest_width(widths, accuracies, target):
    """The smallest width whose accuracy reaches ``target``, or "none"."""
    qualifying = [w for w, a in zip(widths, accuracies) if a >= target]
    return min(qualifying) if qualifying else "none"


def _width_order(w):
    return (1, 0) if w == "none" else (0, int(w))


def pitfalls(ctx, results, answers, seeds):
    s = ctx.settings
    out = []
    key = lambda protocol: PointsNet(protocol, s.pitfall_n_hidden, s.pitfall_width,  # noqa: E731
                                     PINNED if protocol == "faithful" else seeds[0]).key
    if key("faithful") in results:
        f, c = results[key("faithful")], results[key("corrected")]
        out.append(Pitfall(
            "plain-list-layers",
            f"The middle layers sit in a plain Python list, so parameters() and state_dict() miss them and "
            f"they are never trained. Measured on n_hidden={s.pitfall_n_hidden}, hidden_dim={s.pitfall_width}.",
            WHERE_LIST,
            {"accuracy": f["accuracy"], "middle_layers_unchanged": f["middle_layers_unchanged"],
             "middle_layers_in_state_dict": f["middle_layers_in_state_dict"], "parameters": f["parameters"]},
            {"accuracy": c["accuracy"], "middle_layers_unchanged": c["middle_layers_unchanged"],
             "middle_layers_in_state_dict": c["middle_layers_in_state_dict"], "parameters": c["parameters"]},
            f"accuracy {f['accuracy']:.3f} with untrained middle layers, {c['accuracy']:.3f} with nn.ModuleList; "
            f"with n_hidden=1 (problems 2.3-2.4) there are no middle layers and both agree."))
    if "2.4" in answers:
        a = answers["2.4"]
        out.append(Pitfall(
            "seed-in-init", "The model calls torch.manual_seed(42) in __init__: it resets torch's global generator, "
            "which also fixes the data order, so every run gives the same numbers and seeds show no spread.",
            WHERE_SEED, a.value, a.corrected["value"],
            f"smallest width {a.display} as written (any seed); {a.corrected['display']} seeding once per run "
            f"(seed {seeds[0]})" + (f", accepted over seeds: {a.spread['corrected']['accepted']}" if a.spread else "")))
    return out


def _logreg(ctx):
    from sklearn.linear_model import LogisticRegression

    X_train, _, y_train, _ = ctx.points_split
    return LogisticRegression().fit(X_train, y_train)


def _train_mask(ctx):
    """Which rows of X went to the training half of the split (train_test_split shuffles rows)."""
    from sklearn.model_selection import train_test_split

    s = ctx.settings
    idx_train, _ = train_test_split(np.arange(len(ctx.points.y)), test_size=s.split_test_size,
                                    random_state=s.split_random_state)
    mask = np.zeros(len(ctx.points.y), dtype=bool)
    mask[idx_train] = True
    return mask
