"""One run: plan the units the chosen questions need, execute them (resuming what is done),
answer the questions from the results and render the reports."""

import json
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ._version import __version__
from . import _questions as questions
from ._answers import SCHEMA_VERSION
from ._atomic import write_text
from ._context import Context, Inputs
from .errors import ClasslabError
from ._folder import RunFolder
from ._progress import Progress
from .settings import Settings


@dataclass
class RunSpec:
    """Everything that defines a run; saved as run.json so that ``--resume`` repeats it exactly."""

    settings: Settings
    questions: list
    seeds: list
    inputs: Inputs = Inputs()
    threads: int | None = None  # threads each unit computes with: part of the numbers' definition
    command: list = field(default_factory=list)
    config_file: dict | None = None  # {"path", "content"} of --config, so that the run can be repeated
    classlab_version: str = __version__

    def to_dict(self):
        return {"settings": self.settings.to_dict(), "questions": self.questions, "seeds": self.seeds,
                "inputs": self.inputs.__dict__, "threads": self.threads, "command": self.command,
                "config_file": self.config_file, "classlab_version": self.classlab_version}

    @classmethod
    def from_dict(cls, d, source="run.json"):
        d = dict(d)
        d["settings"] = Settings.from_dict(d["settings"], f"{source}: settings")
        d["inputs"] = Inputs(**d.get("inputs", {}))
        d.pop("merged_from", None)
        return cls(**d)

    @classmethod
    def load(cls, folder):
        path = RunFolder(folder).spec
        try:
            return cls.from_dict(json.loads(path.read_text()), str(path))
        except FileNotFoundError:
            raise ClasslabError(f"{folder}: no run.json here, nothing to resume") from None
        except (ValueError, TypeError, KeyError, AttributeError) as err:
            raise ClasslabError(f"{path}: not a classlab run description ({err})") from None


def execute(spec: RunSpec, out: Path, resume=False, executor=None, stream=None):
    """Run ``spec`` into ``out``: plan, execute, answer, render. Returns the answers document."""
    from ._executors import Serial

    t_start = time.perf_counter()
    folder = RunFolder(out)
    write_text(folder.spec, json.dumps(spec.to_dict(), indent=2))
    progress = Progress(stream)
    ctx = Context(spec.settings, spec.inputs, out)
    timings = check_inputs(spec, ctx, progress)
    units = questions.plan(spec.questions, spec.settings, spec.seeds)
    results = load_results(out, units) if resume else {}
    for line in machine_notes(spec.settings, [u for u in units if u.key not in results]):
        progress.say(line)
    progress.start(units, spec.settings, finished=results,
                   labels=questions.labels(spec.questions, spec.settings, spec.seeds))

    def done(unit, result, seconds):
        write_text(folder.unit(unit.key), json.dumps(result))
        results[unit.key], timings[unit.key] = result, seconds
        progress.done(unit)

    (executor or Serial(spec.threads)).run([u for u in units if u.key not in results], ctx, done, progress)
    progress.finish()
    return finish(spec, out, results, timings, t_start)


def machine_notes(settings, units):
    """What this machine's CPU changes for the ``units`` about to run, said once at the start."""
    from . import _cpu
    from ._units.cifar import CifarNet, CifarSVC
    from .svm import gram_path

    notes = []
    if any(isinstance(u, CifarSVC) for u in units):
        path = gram_path()
        notes.append(f"the SVC's exact pixel distances use the {path} product (this CPU has "
                     f"{'' if path == 'int8' else 'no '}int8 dot-product instructions: VNNI or AMX)")
    if settings.precision == "bf16" and settings.device == "cpu" and not _cpu.has_bf16() and \
            any(isinstance(u, CifarNet) for u in units):
        notes.append(BF16_WITHOUT_HARDWARE)
    return notes


# Measured by benchmarks/compare.py (its bf16 measure) on AMD EPYC Zen 3, which has no bf16 instructions:
# benchmarks/results/amd-epyc-zen3.md.
BF16_WITHOUT_HARDWARE = ("warning: --precision bf16 on a CPU without bf16 instructions (AVX512-BF16, AMX): oneDNN "
                         "emulates them, and the nets train slower than in fp32 (on AMD Zen 3 the CNN 10x and the "
                         "dense net 3x slower, measured); the run goes on as asked")


def check_inputs(spec, ctx, progress):
    """Load (and so validate) every input in this process before any work starts."""
    timings = {}
    if questions.needs(spec.questions, "cifar"):
        t = time.perf_counter()
        progress.note("loading CIFAR-10")
        if ctx.cifar_full.skipped_images:
            print(f"classlab: warning: {ctx.cifar_full.source}: skipped {ctx.cifar_full.skipped_images} unreadable "
                  "image(s) (--skip-bad-images)", file=sys.stderr)
        ctx.cifar  # noqa: B018  (and onto the device)
        timings["load_cifar10"] = time.perf_counter() - t
    if questions.needs(spec.questions, "points"):
        ctx.points  # noqa: B018
    return timings


def load_results(out, units):
    """The results of ``units`` that an earlier attempt finished (unreadable ones are run again)."""
    results, folder = {}, RunFolder(out)
    for unit in units:
        try:
            results[unit.key] = json.loads(folder.unit(unit.key).read_text())
        except (OSError, ValueError):
            pass
    return results


def finish(spec, out, results, timings, t_start=None):
    """Answer the questions from the units' results and write answers.json, answers.md, report.html, figures/."""
    from ._report import write_reports
    from ._report.figures import draw_all

    answers, pitfalls = questions.answer_all(spec.questions, spec.settings, spec.seeds, results)
    figures = draw_all(answers, out)
    if t_start is not None:
        timings["total"] = time.perf_counter() - t_start
    doc = {
        "schema_version": SCHEMA_VERSION,
        "classlab_version": __version__,
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "quick": spec.settings.quick,
        "answers": {k: a.to_dict() for k, a in answers.items()},
        "pitfalls": [p.to_dict() for p in pitfalls],
        "config": config(spec, results),
        "timings": timings,
        "resources": {"peak_rss_mib": peak_rss_mib()},
        "figures": figures,
    }
    write_reports(doc, out)
    return doc


def config(spec, results):
    import numpy
    import sklearn
    import torch
    import torchvision

    cfg = {
        "settings": spec.settings.to_dict(), "seeds": spec.seeds, "questions": spec.questions,
        "device": spec.settings.device, "torch_threads": spec.threads or torch.get_num_threads(),
        "versions": {"classlab": __version__, "python": platform.python_version(), "torch": torch.__version__,
                     "torchvision": torchvision.__version__, "scikit-learn": sklearn.__version__,
                     "numpy": numpy.__version__},
        "machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                    "cpus": os.cpu_count()},
        "command": spec.command,
    }
    if spec.config_file is not None:
        cfg["config_file"] = spec.config_file
    if "cifar-facts" in results:
        cfg["cifar10"] = {k: v for k, v in results["cifar-facts"].items() if k not in ("first_five", "classes")}
    if "points-facts" in results:
        cfg["points"] = {k: results["points-facts"][k] for k in ("source", "n", "features", "classes")}
    return cfg


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


def prepare_out_dir(out, force=False, resume=False):
    """Create ``out`` and prove it writable before any work; refuse to overwrite a finished run."""
    out = Path(out)
    folder = RunFolder(out)
    if out.exists() and not out.is_dir():
        raise ClasslabError(f"{out}: --out exists and is not a folder")
    if not resume and not force and folder.answers.exists():
        raise ClasslabError(f"{out}: holds a finished run already; choose another --out, or add --force")
    if not resume and not force and folder.spec.exists():
        raise ClasslabError(f"{out}: holds an unfinished run; continue it with --resume {out}, or add --force")
    if force and not resume:
        folder.clear()  # everything an earlier run (and its key) left; its checkpoints must not be resumed
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


def default_out_dir(parent="runs"):
    """A new folder under ./runs named by date and time; never one that exists already."""
    base = Path(parent) / datetime.now().strftime("%Y%m%d-%H%M%S")
    out, n = base, 1
    while out.exists():
        n += 1
        out = base.with_name(f"{base.name}-{n}")
    return out


__all__ = ["RunSpec", "execute", "finish", "prepare_out_dir", "default_out_dir"]
