"""classlab from Python: ``classlab.run(...)`` does what ``classlab run`` does and returns the answers.

    >>> import classlab
    >>> result = classlab.run("2.1,2.3", points_epochs=10, progress=False)   # doctest: +SKIP
    >>> result["2.3"].display, result["2.3"].corrected["display"]           # doctest: +SKIP
    ('0.596', '0.456')
    >>> result                      # in Jupyter: the answer table, with the figures under it   # doctest: +SKIP

The keyword arguments are the command line's options (``classlab run --help``), with the same
defaults and the same checks; the command line is a thin layer over this function.
"""

import io
import os
from dataclasses import replace
from pathlib import Path

from . import _questions as questions
from ._answers import Answer, Pitfall
from ._context import Inputs
from .errors import ClasslabError
from .settings import DEFAULT, QUICK


def make_spec(questions_=None, *, seeds=1, seed_list=None, quick=False, cifar=None, data_dir=None, points_x=None,
              points_y=None, skip_bad_images=False, epochs=None, batch_size=None, points_epochs=None,
              points_batch_size=None, train_subset=None, test_subset=None, svc_points=None, device="auto",
              pipeline="tensor", precision="fp32", threads=None, curves=True, workers=None, ray=False,
              ray_address=None, command=None):
    """The RunSpec for these options (what ``classlab run`` and ``classlab.run`` run), checked."""
    from ._runner import RunSpec

    chosen = _question_ids(questions_)
    if seed_list is not None:
        seeds_ = _ints(seed_list, "--seed-list")
    else:
        _at_least_1("--seeds", seeds)
        seeds_ = list(range(seeds))
    if not seeds_ or len(set(seeds_)) != len(seeds_):
        raise ClasslabError("--seed-list: give distinct seeds")
    _at_least_1("--threads", threads)
    settings = QUICK if quick else DEFAULT
    overrides = {"epochs": epochs, "batch_size": batch_size, "points_epochs": points_epochs,
                 "points_batch_size": points_batch_size, "train_subset": train_subset, "test_subset": test_subset,
                 "svc_train_points": svc_points}
    for name, value in overrides.items():
        if value is not None:
            _at_least_1(f"--{'svc-points' if name == 'svc_train_points' else name.replace('_', '-')}", value)
            settings = replace(settings, **{name: value})
    if pipeline not in ("tensor", "torchvision"):
        raise ClasslabError(f"--pipeline: tensor or torchvision, got {pipeline!r}")
    if precision not in ("fp32", "bf16"):
        raise ClasslabError(f"--precision: fp32 or bf16, got {precision!r}")
    settings = replace(settings, device=_device(device), pipeline=pipeline, learning_curves=curves,
                       precision=precision)
    if settings.pipeline == "torchvision" and settings.device != "cpu":
        raise ClasslabError("--pipeline torchvision runs on the CPU only; add --device cpu")
    if threads is None and workers:
        threads = max(1, (os.cpu_count() or 1) // workers)
    elif threads is None and (ray or ray_address):
        threads = 1
    inputs = Inputs(cifar=_path(cifar), data_dir=_path(data_dir), points_x=_path(points_x),
                    points_y=_path(points_y), skip_bad_images=skip_bad_images)
    return RunSpec(settings=settings, questions=chosen, seeds=seeds_, inputs=inputs, threads=threads,
                   command=list(command) if command else ["classlab.run(...)"])


def make_executor(spec, workers=None, ray=False, ray_address=None):
    from ._executors import Processes, Ray, Serial, import_ray

    _at_least_1("--workers", workers)
    if workers and (ray or ray_address):
        raise ClasslabError("--workers and --ray: choose one")
    if ray or ray_address:
        import_ray()  # one clear line, before any work, when Ray is missing
        return Ray(ray_address, spec.threads, gpus=1 if spec.settings.device == "cuda" else 0)
    if workers:
        return Processes(workers, spec.threads)
    return Serial(spec.threads)


def run(questions=None, *, out=None, force=False, resume=None, workers=None, ray=False, ray_address=None,
        progress=True, **options):
    """Answer the problem set's ``questions`` (ids as a list or "1.4,2.3"; default: all) and write the run's
    folder (``out``, default a new ``runs/<date>-<time>/``). Returns a ``Run``.

    ``options`` are those of ``classlab run`` (seeds, seed_list, quick, cifar, data_dir, points_x, points_y,
    epochs, batch_size, points_epochs, ..., device, pipeline, precision, threads, curves). ``resume``: the
    folder of an interrupted run to continue. ``progress=False`` keeps the progress lines quiet.
    """
    from ._runner import RunSpec, default_out_dir, execute, prepare_out_dir

    if resume is not None:
        out = Path(resume)
        spec = RunSpec.load(out)
        executor = make_executor(spec, workers, ray, ray_address)
        prepare_out_dir(out, resume=True)
    else:
        spec = make_spec(questions, workers=workers, ray=ray, ray_address=ray_address, **options)
        executor = make_executor(spec, workers, ray, ray_address)
        out = prepare_out_dir(Path(out) if out is not None else default_out_dir(), force=force)
    if spec.threads:
        import torch

        torch.set_num_threads(spec.threads)
    doc = execute(spec, out, resume=resume is not None, executor=executor,
                  stream=None if progress else io.StringIO())
    return Run(doc, out)


def load(run_dir):
    """The ``Run`` of a finished run's folder (its answers.json), e.g. to show it in a notebook."""
    from ._key import load_run

    return Run(load_run(run_dir), Path(run_dir))


class Run:
    """A finished run: its answers (``run["1.4"]``, ``run.answers``), pitfalls and files.

    In Jupyter it shows as the answer table, with the banners above it and the figures below.
    """

    def __init__(self, doc, out):
        self.doc, self.out = doc, Path(out)
        self.answers = {id: Answer.from_dict(a, self.out) for id, a in doc["answers"].items()}
        self.pitfalls = [Pitfall(**p) for p in doc["pitfalls"]]

    def __getitem__(self, id):
        return self.answers[id]

    def __iter__(self):
        return iter(self.answers.values())

    @property
    def paths(self):
        """The files the run wrote."""
        return {"answers.json": self.out / "answers.json", "answers.md": self.out / "answers.md",
                "report.html": self.out / "report.html", "figures": [self.out / f for f in self.doc["figures"]]}

    @property
    def banners(self):
        from ._report.common import banners

        return banners(self.doc)

    def __repr__(self):
        from ._report.sheet import render_sheet

        return render_sheet(self.doc, self.out)

    def _repr_html_(self):
        from ._report.notebook import run_html

        return run_html(self)

    def show(self, id):
        """Display answer ``id`` with its figures (in Jupyter; elsewhere, return its HTML)."""
        from ._report.notebook import answer_html

        html = answer_html(self.answers[id], self.out)
        try:
            from IPython.display import HTML, display
        except ImportError:
            return html
        display(HTML(html))


def _question_ids(chosen):
    if chosen is None:
        return list(questions.ALL)
    ids = [q.strip() for q in (chosen.split(",") if isinstance(chosen, str) else chosen) if str(q).strip()]
    unknown = [q for q in ids if q not in questions.ALL]
    if unknown or not ids:
        raise ClasslabError(f"--only: unknown question id(s) {', '.join(unknown) or '(none given)'}; "
                            f"choose from {', '.join(questions.ALL)}")
    return ids


def _ints(value, option):
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    try:
        return [int(x) for x in str(value).split(",") if x.strip()]
    except ValueError:
        raise ClasslabError(f"{option}: expected comma-separated integers, got {value!r}") from None


def _at_least_1(option, value):
    if value is not None and value < 1:
        raise ClasslabError(f"{option}: must be at least 1, got {value}")


def _path(value):
    return None if value is None else str(value)


def _device(choice):
    import torch

    if choice == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if choice not in ("cpu", "cuda"):
        raise ClasslabError(f"--device: auto, cpu or cuda, got {choice!r}")
    if choice == "cuda" and not torch.cuda.is_available():
        raise ClasslabError("--device cuda: no CUDA device is available to torch here")
    return choice


__all__ = ["run", "load", "Run", "make_spec"]
