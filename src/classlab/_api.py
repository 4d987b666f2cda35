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
from dataclasses import replace
from pathlib import Path

from . import _questions as questions
from ._answers import Answer, Pitfall
from ._context import Inputs, resolve_device
from .errors import ClasslabError
from ._executors import Processes, Ray, Serial, import_ray, threads_per_unit
from ._folder import RunFolder
from .settings import SETTINGS, make, read_config


def make_spec(questions_=None, *, seeds=1, seed_list=None, config=None, cifar=None, data_dir=None, points_x=None,
              points_y=None, skip_bad_images=False, threads=None, workers=None, ray=False, ray_address=None,
              command=None, **settings):
    """The RunSpec for these options (what ``classlab run`` and ``classlab.run`` run), checked.

    ``settings`` are the fields of ``classlab.Settings`` (typed, or text as on the command line; None: not
    given), over those of the ``config`` file; the rest says what to run, on which data, and where.
    """
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
    from_file, config_file = read_config(config) if config is not None else ({}, None)
    s = make(settings, from_file)
    s = replace(s, device=_device(s.device))
    if s.pipeline == "torchvision" and s.device != "cpu":
        raise ClasslabError("--pipeline torchvision runs on the CPU only; add --device cpu")
    inputs = Inputs(cifar=_path(cifar), data_dir=_path(data_dir), points_x=_path(points_x),
                    points_y=_path(points_y), skip_bad_images=skip_bad_images)
    return RunSpec(settings=s, questions=chosen, seeds=seeds_, inputs=inputs,
                   threads=threads_per_unit(threads, workers, bool(ray or ray_address)),
                   command=list(command) if command else ["classlab.run(...)"], config_file=config_file)


def make_executor(spec, workers=None, ray=False, ray_address=None):
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

    ``options`` are those of ``classlab run``, by the same names: seeds, seed_list, config (a TOML file of
    settings), cifar, data_dir, points_x, points_y, skip_bad_images, threads, and every setting (below).
    ``resume``: the folder of an interrupted run to continue. ``progress=False`` keeps the progress lines quiet.
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


class ShownAnswer(Answer):
    """An answer of a finished run; in Jupyter it shows with its figures."""

    def _repr_html_(self):
        from ._report.notebook import answer_html

        return answer_html(self, self.folder)


class Run:
    """A finished run: its answers (``run["1.4"]``, ``run.answers``), pitfalls and files.

    In Jupyter it shows as the answer table, with the banners above it and the figures below.
    """

    def __init__(self, doc, out):
        self.doc, self.out = doc, Path(out)
        self.answers = {id: ShownAnswer.from_dict(a, self.out) for id, a in doc["answers"].items()}
        self.pitfalls = [Pitfall(**p) for p in doc["pitfalls"]]

    def __getitem__(self, id):
        return self.answers[id]

    def __iter__(self):
        return iter(self.answers.values())

    @property
    def paths(self):
        """The files of the run that a person opens, by name (``figures``: the list of figure files)."""
        return RunFolder(self.out).shown()

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

    if choice == "cuda" and not torch.cuda.is_available():
        raise ClasslabError("--device cuda: no CUDA device is available to torch here")
    return resolve_device(choice)


def _settings_doc():
    lines = ["", "    The settings (defaults: the problem set's; ``classlab run --help`` and the README list them too):", ""]
    for s in SETTINGS.values():
        lines.append(f"    * ``{s.name}`` ({s.describe().replace(chr(92), '')}, default {s.show(s.default)}): {s.help}")
    return "\n".join(lines) + "\n"


run.__doc__ += _settings_doc()

__all__ = ["run", "load", "Run", "make_spec"]
