"""Part 2, Learning Features: problems 2.1-2.4 on the 2-D points.

Under the faithful protocol ``DeepClassifier`` seeds torch itself (``torch.manual_seed(42)``
in ``__init__``), so its answers are the same for every run seed: those units run once
(seed ``PINNED``) and the answers say so. The corrected protocol runs once per seed.
"""

from .._answers import Answer, Pitfall, Plot, seed_answer, spread
from .._folder import RunFolder
from .._protocols import CORRECTED, FAITHFUL
from .registry import question

PINNED = 42  # the seed DeepClassifier.__init__ sets, standing for "the run's seed plays no part"
PINNED_NOTE = ("Faithful answers are the same for every seed: the listing's DeepClassifier calls "
               "torch.manual_seed(42) in __init__, which fixes both its weights and the data order.")
WHERE_LIST = "Problem 2.3, DeepClassifier listing: self.between = [nn.Linear(...) for i in range(self.n_hidden-1)]"
WHERE_SEED = "Problem 2.3, DeepClassifier listing: torch.manual_seed(42) inside __init__"
SEED_PITFALL = "seed-in-init"
SEEDED_ONCE = ("This is what the net gives when it is not seeded by the listing's torch.manual_seed(42) inside "
               "__init__ (your own seed, another data order, or nn.ModuleList and a seed set once): a correct "
               "training, but not the numbers the listing pins.")


def _split(s):
    """ "50:50", as the problem set writes the split."""
    return f"{(1 - s.split_test_size) * 100:g}:{s.split_test_size * 100:g}"


def _lr(s):
    return "" if s.points_lr == s.lr else f" (here with lr={s.points_lr:g})"


def _logreg_units(s, seeds):
    from .._units import PointsFacts, PointsLogReg

    return {"facts": PointsFacts(), "logreg": PointsLogReg()}


def _widths(seeds, widths, n_hidden=1):
    from .._units import PointsNet

    return {FAITHFUL: {w: PointsNet(FAITHFUL, n_hidden, w, PINNED) for w in widths},
            CORRECTED: {seed: {w: PointsNet(CORRECTED, n_hidden, w, seed) for w in widths} for seed in seeds}}


@question("2.1", points=0.5, digits=3, unit="accuracy", needs=["points"], units=_logreg_units,
          text=lambda s: "Load the numpy arrays X_classification.npy and y_classification.npy, split them "
                         f"{_split(s)} using the train_test_split with random_state={s.split_random_state} as usual. "
                         "Train a logistic regression model and report the accuracy on the test set rounded to 3 "
                         "digits after the comma.",
          label=lambda s: f"Test accuracy of logistic regression on the {_split(s)} split")
def q2_1(q, run):
    facts, s = run.results["facts"], run.settings
    return Answer.of(q, s, run.results["logreg"]["accuracy"], seed_pinned=True,
                     notes=[f"LogisticRegression() on train_test_split(test_size={s.split_test_size}, random_state="
                            f"{s.split_random_state}); deterministic, no seed involved. Data: {facts['source']}."])


@question("2.2", points=1.0, digits=None, needs=["points"], units=_logreg_units, kind="figure",
          text="Visualize the learned decision boundary against a scatter plot of all data.",
          label="The learned decision boundary over a scatter plot of all data")
def q2_2(q, run):
    facts = run.results["facts"]
    notes, plots = [], []
    if facts["features"] == 2:
        plots.append(_boundaries("2.2-logreg-boundary", "Logistic regression's decision boundary", facts,
                                 [("logistic regression", {"kind": "logreg", "result": run.results["logreg"]})]))
    else:
        notes.append(f"Skipped: the data has {facts['features']} features, a boundary plot needs exactly 2.")
    return Answer.of(q, run.settings, RunFolder.figure_name(plots[0].name) if plots else "skipped", plots=plots,
                     seed_pinned=True, notes=notes + ["Logistic regression is a network without hidden layers: its "
                                                      "boundary is a straight line."])


@question("2.3", points=1.0, digits=3, unit="accuracy", needs=["points"], corrected_means=SEEDED_ONCE,
          pitfall=SEED_PITFALL,
          units=lambda s, seeds: _widths(seeds, [s.first_width]),
          text=lambda s: "Train this model with the same settings as in problem 1.4 regarding loss function and "
                         f"optimizer{_lr(s)}. Train a model with 1 hidden layer and a layer dimension of "
                         f"{s.first_width} for {s.points_epochs} epochs. Report the accuracy on the test set rounded "
                         "to 3 digits after the comma.",
          label=lambda s: f"Test accuracy of DeepClassifier(n_hidden=1, hidden_dim={s.first_width}) after "
                          f"{s.points_epochs} epochs")
def q2_3(q, run):
    w = run.settings.first_width
    faithful = run.results[FAITHFUL][w]["accuracy"]
    corrected = [run.results[CORRECTED][seed][w]["accuracy"] for seed in run.seeds]
    answer = seed_answer(q, run.settings, [(seed, faithful, c) for seed, c in zip(run.seeds, corrected)],
                         seed_pinned=True, notes=[PINNED_NOTE])
    answer.notes.append(f"Batch size {run.settings.points_batch_size} (the problem set gives none; as in part 1).")
    return answer


def _sweep_units(s, seeds):
    from .._units import PointsFacts, PointsLogReg, PointsNet

    return {"facts": PointsFacts(), "logreg": PointsLogReg(), **_widths(seeds, s.widths),
            "pitfall": {FAITHFUL: PointsNet(FAITHFUL, s.pitfall_n_hidden, s.pitfall_width, PINNED),
                        CORRECTED: PointsNet(CORRECTED, s.pitfall_n_hidden, s.pitfall_width, seeds[0])}}


@question("2.4", points=1.5, digits=None, unit="hidden units", needs=["points"], units=_sweep_units,
          corrected_means=SEEDED_ONCE, pitfall=SEED_PITFALL,
          text=lambda s: "Train independent models with 1 hidden layer and a hidden layer dimension/length of "
                         f"{list(s.widths)}. Again, use the same loss function and optimizer{_lr(s)}. Train for "
                         f"{s.points_epochs} epochs. How many dimensions are at least necessary to achieve an "
                         f"accuracy on the test set of {s.target_accuracy:g} or more?",
          label=lambda s: f"Smallest hidden width with test accuracy >= {s.target_accuracy}")
def q2_4(q, run):
    s, r, seeds = run.settings, run.results, run.seeds
    table = {"widths": list(s.widths),
             "faithful": [r[FAITHFUL][w]["accuracy"] for w in s.widths],
             "corrected": {seed: [r[CORRECTED][seed][w]["accuracy"] for w in s.widths] for seed in seeds}}
    per_seed = [(seed, smallest_width(s.widths, table["faithful"], s.target_accuracy),
                 smallest_width(s.widths, table["corrected"][seed], s.target_accuracy)) for seed in seeds]
    answer = seed_answer(q, s, per_seed, seed_pinned=True, discrete=True, details={"table": table},
                         notes=[PINNED_NOTE])
    if len(seeds) > 1:
        columns = zip(*(table["corrected"][seed] for seed in seeds))  # per width, over the seeds
        answer.details["corrected_accuracy_spread"] = [spread(list(col), 3, "accuracy") for col in columns]
    answer.plots.append(Plot("2.4-width-sweep", "width_sweep", "Test accuracy against hidden width",
                             {"widths": list(s.widths), "threshold": s.target_accuracy,
                              "series": {"faithful": table["faithful"],
                                         f"corrected (seed {seeds[0]})": table["corrected"][seeds[0]]}}))
    facts = r["facts"]
    if facts["features"] == 2:
        panels = [("logistic regression", {"kind": "logreg", "result": r["logreg"]})] + [
            (f"width {w}: {a:.3f}", {"kind": "deep", "result": r[FAITHFUL][w]})
            for w, a in zip(s.widths, table["faithful"])]
        answer.plots.append(_boundaries("2.4-boundaries", "Decision boundaries as the hidden layer widens (faithful)",
                                        facts, panels))
        answer.details["explorer"] = {
            "widths": list(s.widths), "X": facts["X"], "y": facts["y"], "train_mask": facts["train_mask"],
            "classes": facts["classes"],
            "runs": {"faithful (the listing as written)": [r[FAITHFUL][w]["snapshots"] for w in s.widths],
                     f"corrected (seeded once, seed {seeds[0]})": [r[CORRECTED][seeds[0]][w]["snapshots"]
                                                                   for w in s.widths]}}
    else:
        answer.notes.append(f"Boundary figures skipped: the data has {facts['features']} features, not 2.")
    answer.pitfalls += _pitfalls(s, seeds, answer, r["pitfall"])
    return answer


def _boundaries(name, title, facts, panels):
    return Plot(name, "boundaries", title, {"panels": [{"title": t, "model": m} for t, m in panels],
                                            "X": facts["X"], "y": facts["y"], "train_mask": facts["train_mask"],
                                            "classes": facts["classes"]})


def smallest_width(widths, accuracies, target):
    """The smallest width whose accuracy reaches ``target``, or "none"."""
    qualifying = [w for w, a in zip(widths, accuracies) if a >= target]
    return min(qualifying) if qualifying else "none"


def _pitfalls(s, seeds, answer, nets):
    f, c = nets[FAITHFUL], nets[CORRECTED]
    keep = ("accuracy", "middle_layers_unchanged", "middle_layers_in_state_dict", "parameters")
    return [
        Pitfall("plain-list-layers",
                f"The middle layers sit in a plain Python list, so parameters() and state_dict() miss them and they "
                f"are never trained. Measured on n_hidden={s.pitfall_n_hidden}, hidden_dim={s.pitfall_width}.",
                WHERE_LIST, {k: f[k] for k in keep}, {k: c[k] for k in keep},
                f"accuracy {f['accuracy']:.3f} with untrained middle layers, {c['accuracy']:.3f} with "
                "nn.ModuleList; with n_hidden=1 (problems 2.3-2.4) there are no middle layers and both agree."),
        Pitfall(SEED_PITFALL, "The model calls torch.manual_seed(42) in __init__: it resets torch's global "
                "generator, which also fixes the data order, so every run gives the same numbers and seeds show no "
                "spread.", WHERE_SEED, answer.value, answer.corrected["value"],
                f"smallest width {answer.display} as written (any seed); {answer.corrected['display']} seeding once "
                f"per run (seed {seeds[0]})"
                + (f", accepted over seeds: {answer.spread['corrected']['accepted']}" if len(seeds) > 1 else "")),
    ]
