"""``classlab merge``: runs of the same settings and different seeds (one per job-array task, say)
combined into one answer sheet, with the spread and ranges over all their seeds.

Runs are refused, with one line, when their settings, questions, data or classlab version
differ, when a seed appears twice, or when one is unfinished. Units that every run computes
alike (the data's facts, logistic regression, the faithful part 2 nets pinned by the listing's
seed) are taken from the first run.
"""

import json
from dataclasses import replace

from ._version import __version__
from . import _questions as questions
from ._atomic import write_text
from .errors import ClasslabError
from ._folder import RunFolder
from ._runner import RunSpec, finish, load_results, prepare_out_dir


def _load(folder):
    if not RunFolder(folder).spec.exists():
        raise ClasslabError(f"{folder}: not a classlab run (no run.json)")
    spec = RunSpec.load(folder)
    units = questions.plan(spec.questions, spec.settings, spec.seeds)
    results = load_results(folder, units)
    missing = [u.key for u in units if u.key not in results]
    if missing:
        raise ClasslabError(f"{folder}: unfinished ({len(missing)} unit(s) missing, e.g. {missing[0]}); "
                            f"finish it with: classlab run --resume {folder}")
    return spec, results


def _data_of(results):
    cifar = results.get("cifar-facts", {}).get("checksum")
    points = results.get("points-facts")
    return cifar, (points["X"], points["y"]) if points else None


def _check_alike(folder, spec, results, first_folder, first, first_results):
    def differ(what):
        raise ClasslabError(f"{folder}: {what} differ(s) from {first_folder}'s; merge only runs that differ in "
                            "their seeds")
    if spec.classlab_version != first.classlab_version:
        differ(f"classlab version ({spec.classlab_version} vs {first.classlab_version})")
    a, b = spec.settings.to_dict(), first.settings.to_dict()
    changed = [f"{k} {a[k]} vs {b[k]}" for k in a if a[k] != b.get(k)]
    if changed:
        differ(f"settings ({', '.join(changed)})")
    if sorted(spec.questions) != sorted(first.questions):
        differ("questions")
    cifar, points = _data_of(results)
    first_cifar, first_points = _data_of(first_results)
    if cifar != first_cifar:
        differ(f"CIFAR-10 data (checksum {cifar} vs {first_cifar})")
    if points != first_points:
        differ("part 2 points")


def merge(out, folders, force=False, command=()):
    """Merge the runs in ``folders`` into ``out``; returns the answers document."""
    runs = [(folder, *_load(folder)) for folder in folders]
    first_folder, first, _ = runs[0]
    results, seen = {}, {}
    for folder, spec, run_results in runs:
        _check_alike(folder, spec, run_results, first_folder, first, runs[0][2])
        for seed in spec.seeds:
            if seed in seen:
                raise ClasslabError(f"{folder}: seed {seed} is in {seen[seed]} too; merge runs of different seeds")
            seen[seed] = folder
        for key, result in run_results.items():
            results.setdefault(key, result)
    seeds = sorted(seen)
    spec = replace(first, seeds=seeds, command=list(command), classlab_version=__version__)
    prepare_out_dir(out, force=force)
    merged = RunFolder(out)
    write_text(merged.spec, json.dumps(spec.to_dict() | {"merged_from": [str(f) for f in folders]}, indent=2))
    for unit in questions.plan(spec.questions, spec.settings, seeds):
        write_text(merged.unit(unit.key), json.dumps(results[unit.key]))
    return finish(spec, out, results, {})
