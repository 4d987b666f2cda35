"""One run: plan the units the chosen questions need, run them (resuming what is done),
answer the questions and hand the answers to the report writers."""

import json
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import __version__, questions
from .answers import SCHEMA_VERSION
from .atomic import write_text
from .errors import ClasslabError
from .progress import Progress
from .settings import Settings
from .units import Context, run_unit


@dataclass
class RunSpec:
    """Everything that defines a run; saved as run.json so that ``--resume`` repeats it exactly."""

    settings: Settings
    questions: list
    seeds: list
    cifar: str | None = None
    data_dir: str | None = None
    points_x: str | None = None
    points_y: str | None = None
    skip_bad_images: bool = False
    threads: int | None = None  # kept so that a resumed run computes with the same thread count
    command: list = field(default_factory=list)

    def to_dict(self):
        d = dict(self.__dict__)
        d["settings"] = self.settings.to_dict()
        return d

    @classmethod
    def from_dict(cls, d):
        d = dict(d)
        d["settings"] = Settings.from_dict(d["settings"])
        return cls(**d)


def prepare_out_dir(out, force=False, resume=False):
    """Create ``out`` and prove it writable before any work; refuse to overwrite a finished run."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ClasslabError(f"{out}: --out exists and is not a folder")
    if not resume and not force and (out / "answers.json").exists():
        raise ClasslabError(f"{out}: holds a finished run already; choose another --out, or add --force")
    if not resume and not force and (out / "run.json").exists():
        raise ClasslabError(f"{out}: holds an unfinished run; continue it with --resume {out}, or add --force")
    if force and not resume:
        _clear_previous_run(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-probe-{os.getpid()}"
        with open(probe, "wb") as f:
            f.write(b"\0" * (1 << 20))  # a full disk fails here, not after an hour of training
            f.flush()
            os.fsync(f.fileno())
        probe.unlink()
    except OSError as err:
        raise ClasslabError(f"{out}: cannot write the results here ({err.strerror or err})") from None
    return out


RUN_FILES = ("answers.json", "answers.md", "report.html", "run.json")
RUN_FOLDERS = ("units", "checkpoints", "figures")


def _clear_previous_run(out):
    """Remove what an earlier run left in ``out`` (and only that): its checkpoints must not be resumed."""
    import shutil

    for name in RUN_FOLDERS:
        shutil.rmtree(out / name, ignore_errors=True)
    for name in RUN_FILES:
        (out / name).unlink(missing_ok=True)


def execute(spec: RunSpec, out: Path, resume=False, stream=sys.stderr):
    """Run ``spec`` into ``out``. Returns the answers document (also written as answers.json)."""
    from .report import write_reports

    t_start = time.perf_counter()
    write_text(out / "run.json", json.dumps(spec.to_dict(), indent=2))
    progress = Progress(stream)
    ctx = Context(spec.settings, spec.cifar, spec.data_dir, spec.points_x, spec.points_y, out,
                  spec.skip_bad_images, progress=progress.unit_step)
    timings = {}
    # Load (and so validate) every input before any training starts.
    chosen = set(spec.questions)
    if chosen & questions.NEEDS_CIFAR:
        t = time.perf_counter()
        progress.note("loading CIFAR-10")
        ctx.cifar  # noqa: B018
        timings["load_cifar10"] = time.perf_counter() - t
    if chosen & questions.NEEDS_POINTS:
        ctx.points  # noqa: B018
    units = questions.units_for(spec.questions, spec.settings, spec.seeds)
    results, units_dir = {}, out / "units"
    units_dir.mkdir(exist_ok=True)
    progress.start(units, spec.settings, ctx)
    for unit in units:
        path = units_dir / f"{unit.key}.json"
        if resume and path.exists():
            try:
                results[unit.key] = json.loads(path.read_text())
                progress.done(unit, skipped=True)
                continue
            except ValueError:
                pass  # unreadable: run the unit again
        t = time.perf_counter()
        progress.begin(unit)
        results[unit.key] = run_unit(unit, ctx)
        timings[unit.key] = time.perf_counter() - t
        write_text(path, json.dumps(results[unit.key]))
        progress.done(unit)
        release_memory()
    progress.finish()
    from .report.figures import Figures

    figures = Figures(out)
    answers, pitfalls = questions.answer_all(chosen, ctx, results, spec.seeds, figures)
    timings["total"] = time.perf_counter() - t_start
    doc = {
        "schema_version": SCHEMA_VERSION,
        "classlab_version": __version__,
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "quick": spec.settings.quick,
        "answers": {k: a.to_dict() for k, a in answers.items()},
        "pitfalls": [p.to_dict() for p in pitfalls],
        "config": config(spec, ctx, chosen),
        "timings": timings,
        "resources": {"peak_rss_mib": peak_rss_mib()},
        "figures": figures.made,
    }
    write_reports(doc, out)
    return doc


def peak_rss_mib():
    """This process's peak resident memory so far, in MiB.

    On Linux this is VmHWM: getrusage's ru_maxrss would carry over the high-water mark of
    the process that started this one (it survives fork and exec), overstating ours.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1 << 20 if sys.platform == "darwin" else 1 << 10), 1)


def release_memory():
    """Give a finished unit's memory back, so a run of many seeds stays as small as a run of one."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: the allocator keeps its own counsel


def config(spec, ctx, chosen):
    import numpy
    import sklearn
    import torch
    import torchvision

    cfg = {
        "settings": spec.settings.to_dict(), "seeds": spec.seeds, "questions": spec.questions,
        "device": spec.settings.device, "torch_threads": torch.get_num_threads(),
        "versions": {"classlab": __version__, "python": platform.python_version(), "torch": torch.__version__,
                     "torchvision": torchvision.__version__, "scikit-learn": sklearn.__version__,
                     "numpy": numpy.__version__},
        "machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                    "cpus": os.cpu_count()},
        "command": spec.command,
    }
    if chosen & questions.NEEDS_CIFAR:
        cfg["cifar10"] = ctx.cifar_full.describe()
    if chosen & questions.NEEDS_POINTS:
        cfg["points"] = {"source": ctx.points.source, "n": len(ctx.points.y), "features": ctx.points.X.shape[1],
                         "classes": ctx.points.n_classes}
    return cfg


def default_out_dir(parent="runs"):
    """A new folder under ./runs named by date and time; never one that exists already."""
    base = Path(parent) / datetime.now().strftime("%Y%m%d-%H%M%S")
    out, n = base, 1
    while out.exists():
        n += 1
        out = base.with_name(f"{base.name}-{n}")
    return out
