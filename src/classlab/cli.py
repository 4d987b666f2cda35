"""The ``classlab`` command line: a thin layer over ``classlab.runner`` (and ``classlab.merge``)."""

import argparse
import os
import shlex
import signal
import sys
from dataclasses import replace
from pathlib import Path

from . import __version__, questions
from .context import Inputs
from .errors import ClasslabError
from .settings import DEFAULT, QUICK


def build_parser():
    parser = argparse.ArgumentParser(prog="classlab", description=__doc__)
    parser.add_argument("--version", action="version", version=f"classlab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="answer the questions of Problem Set 10 and write the report",
                         description="Answer the questions of Problem Set 10 and write answers.json, answers.md, "
                                     "report.html and figures/ into --out.")
    data = run.add_argument_group("data")
    data.add_argument("--cifar", metavar="PATH",
                      help="CIFAR-10: a folder holding cifar-10-batches-py/, cifar-10-python.tar.gz, an image folder "
                           "(train/<class>/*, test/<class>/*) or a .tar.gz of one. Default: the data folder, "
                           "downloading there if missing")
    data.add_argument("--data-dir", metavar="DIR",
                      help="data folder for the download and the tensor cache (default: $CLASSLAB_DATA or ./data)")
    data.add_argument("--points-x", metavar="FILE", help="part 2 features (.npy); default: the embedded pair")
    data.add_argument("--points-y", metavar="FILE", help="part 2 labels (.npy)")
    data.add_argument("--skip-bad-images", action="store_true",
                      help="skip unreadable images in an image folder (counted in the report) instead of stopping")
    what = run.add_argument_group("what to run")
    what.add_argument("--only", metavar="IDS", help=f"comma-separated question ids (default: all of {', '.join(questions.ALL)})")
    what.add_argument("--seeds", type=int, default=1, metavar="N", help="repeat with seeds 0..N-1 (default 1)")
    what.add_argument("--seed-list", metavar="S,S,...", help="repeat with exactly these seeds")
    what.add_argument("--quick", action="store_true",
                      help="small subset, 1 epoch: checks an installation in about a minute (NOT the answers)")
    what.add_argument("--epochs", type=int, help=f"CIFAR-10 epochs (default {DEFAULT.epochs})")
    what.add_argument("--batch-size", type=int, help=f"CIFAR-10 batch size (default {DEFAULT.batch_size})")
    what.add_argument("--points-epochs", type=int, help=f"part 2 epochs (default {DEFAULT.points_epochs})")
    what.add_argument("--points-batch-size", type=int,
                      help=f"part 2 batch size (the problem set gives none; default {DEFAULT.points_batch_size})")
    what.add_argument("--train-subset", type=int, metavar="N", help="use only the first N training images")
    what.add_argument("--test-subset", type=int, metavar="N", help="use only the first N test images")
    what.add_argument("--svc-points", type=int, metavar="N",
                      help=f"SVC training points (default {DEFAULT.svc_train_points})")
    how = run.add_argument_group("how to run")
    how.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="default: cuda if present")
    how.add_argument("--pipeline", default="tensor", choices=["tensor", "torchvision"],
                     help="tensor: batched augmentation (fast, default); torchvision: the problem set's per-image "
                          "PIL pipeline (reference)")
    how.add_argument("--precision", default="fp32", choices=["fp32", "bf16"],
                     help="fp32 (default, the answers) or bf16 autocast for the CIFAR-10 nets: faster on CPUs with "
                          "AVX-512 BF16 or AMX, at an accuracy cost the benchmark reports; never the quiz answer")
    how.add_argument("--threads", type=int, metavar="N",
                     help="CPU threads each unit of work computes with (default: all cores, shared among --workers)")
    how.add_argument("--no-curves", action="store_true",
                     help="skip the per-epoch test evaluation behind the learning-curve figures")
    where = run.add_argument_group("where to run (the numbers do not depend on it, given the same --threads)")
    where.add_argument("--workers", type=int, metavar="N", help="run units in N local processes")
    where.add_argument("--ray", action="store_true", help="run each unit as a task on a local Ray instance")
    where.add_argument("--ray-address", metavar="ADDR", help="run each unit as a task on the Ray cluster at ADDR")
    out = run.add_argument_group("output")
    out.add_argument("--out", metavar="DIR", help="output folder (default: a new folder under ./runs/)")
    out.add_argument("--force", action="store_true", help="write into an --out that holds a run already")
    out.add_argument("--resume", metavar="DIR", help="continue the interrupted run in DIR, skipping what is done")

    merge = sub.add_parser("merge", help="combine runs of the same settings and different seeds into one answer sheet",
                           description="Combine finished runs that differ only in their seeds (e.g. the tasks of a "
                                       "Slurm job array) into one answer sheet with the ranges over all their seeds.")
    merge.add_argument("out", metavar="OUT", help="folder for the merged answer sheet")
    merge.add_argument("runs", metavar="RUN_DIR", nargs="+", help="the runs' output folders")
    merge.add_argument("--force", action="store_true", help="write into an OUT that holds a run already")

    key = sub.add_parser("key", help="write the Moodle quiz (quiz.xml, quiz.gift) of a finished run",
                         description="Write the quiz of a finished run into its folder: quiz.xml (Moodle XML) and "
                                     "quiz.gift (GIFT), with accepted ranges, tolerances and pitfall feedback.")
    key.add_argument("run", metavar="RUN_DIR", help="a finished run (ideally of --seeds 5 or more)")
    key.add_argument("--corrected-credit", type=float, default=0.0, metavar="PCT",
                     help="credit (percent) for a number that matches the corrected protocol instead (default 0)")

    check = sub.add_parser("check", help="check your answers against a run's key",
                           description="Check answers (e.g. 1.4=0.47 2.4=8) against the key of a finished run.")
    check.add_argument("answers", nargs="*", metavar="ID=VALUE", help="your answers, e.g. 1.4=0.47 1.2=cat,ship")
    check.add_argument("--key", required=True, metavar="RUN_DIR", help="the run whose answers are the key")
    check.add_argument("--answers", dest="answers_file", metavar="FILE",
                       help="your answers in a file: lines ID=VALUE, or a JSON object")
    check.add_argument("--corrected-credit", type=float, default=0.0, metavar="PCT", help=argparse.SUPPRESS)
    return parser


def _ids(text, option):
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ClasslabError(f"{option}: expected comma-separated integers, got {text!r}") from None


def _at_least_1(option, value):
    if value is not None and value < 1:
        raise ClasslabError(f"{option}: must be at least 1, got {value}")


def spec_from_args(args, argv):
    from .runner import RunSpec

    if args.only:
        chosen = [q.strip() for q in args.only.split(",") if q.strip()]
        unknown = [q for q in chosen if q not in questions.ALL]
        if unknown or not chosen:
            raise ClasslabError(f"--only: unknown question id(s) {', '.join(unknown) or '(none given)'}; "
                                f"choose from {', '.join(questions.ALL)}")
    else:
        chosen = list(questions.ALL)
    if args.seed_list:
        seeds = _ids(args.seed_list, "--seed-list")
    else:
        _at_least_1("--seeds", args.seeds)
        seeds = list(range(args.seeds))
    if not seeds or len(set(seeds)) != len(seeds):
        raise ClasslabError("--seed-list: give distinct seeds")
    _at_least_1("--threads", args.threads)
    settings = QUICK if args.quick else DEFAULT
    overrides = {"epochs": args.epochs, "batch_size": args.batch_size, "points_epochs": args.points_epochs,
                 "points_batch_size": args.points_batch_size, "train_subset": args.train_subset,
                 "test_subset": args.test_subset, "svc_train_points": args.svc_points}
    for name, value in overrides.items():
        if value is not None:
            _at_least_1(f"--{name.replace('_', '-')}", value)
            settings = replace(settings, **{name: value})
    settings = replace(settings, device=_device(args.device), pipeline=args.pipeline,
                       learning_curves=not args.no_curves, precision=args.precision)
    if settings.pipeline == "torchvision" and settings.device != "cpu":
        raise ClasslabError("--pipeline torchvision runs on the CPU only; add --device cpu")
    threads = args.threads
    if threads is None and args.workers:
        threads = max(1, (os.cpu_count() or 1) // args.workers)
    elif threads is None and (args.ray or args.ray_address):
        threads = 1
    inputs = Inputs(cifar=args.cifar, data_dir=args.data_dir, points_x=args.points_x, points_y=args.points_y,
                    skip_bad_images=args.skip_bad_images)
    return RunSpec(settings=settings, questions=chosen, seeds=seeds, inputs=inputs, threads=threads,
                   command=["classlab", *argv])


def _device(choice):
    import torch

    if choice == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if choice == "cuda" and not torch.cuda.is_available():
        raise ClasslabError("--device cuda: no CUDA device is available to torch here")
    return choice


def executor_from_args(args, spec):
    from .executors import Processes, Ray, Serial, import_ray

    _at_least_1("--workers", args.workers)
    if sum(map(bool, (args.workers, args.ray or args.ray_address))) > 1:
        raise ClasslabError("--workers and --ray: choose one")
    if args.ray or args.ray_address:
        import_ray()  # one clear line, before any work, when Ray is missing
        return Ray(args.ray_address, spec.threads, gpus=1 if spec.settings.device == "cuda" else 0)
    if args.workers:
        return Processes(args.workers, spec.threads)
    return Serial(spec.threads)


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt  # a pre-empted cluster job stops like Ctrl-C: checkpoints kept, resumable


def cmd_run(args, argv):
    from .report.sheet import render_sheet
    from .runner import RunSpec, default_out_dir, execute, prepare_out_dir

    if args.resume:
        out = Path(args.resume)
        spec = RunSpec.load(out)
        executor = executor_from_args(args, spec)
        prepare_out_dir(out, resume=True)
    else:
        spec = spec_from_args(args, argv)
        executor = executor_from_args(args, spec)
        out = prepare_out_dir(Path(args.out) if args.out else default_out_dir(), force=args.force)
    if spec.threads:
        import torch

        torch.set_num_threads(spec.threads)
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        doc = execute(spec, out, resume=bool(args.resume), executor=executor)
    except KeyboardInterrupt:
        done = sorted(p.stem for p in (out / "units").glob("*.json")) if (out / "units").is_dir() else []
        print(f"\nclasslab: interrupted. Finished: {', '.join(done) or 'nothing yet'}. "
              f"Continue with: classlab run --resume {shlex.quote(str(out))}", file=sys.stderr)
        return 130
    print(render_sheet(doc, out))
    return 0


def cmd_merge(args, argv):
    from .merge import merge
    from .report.sheet import render_sheet

    out = Path(args.out)
    doc = merge(out, [Path(r) for r in args.runs], force=args.force, command=["classlab", *argv])
    print(render_sheet(doc, out))
    return 0


def cmd_key(args, argv):
    from .quiz import write_quiz

    paths = write_quiz(Path(args.run), args.corrected_credit)
    print("Written: " + ", ".join(str(p) for p in paths))
    return 0


def cmd_check(args, argv):
    from .check import check, parse_answers, read_answers_file

    answers = read_answers_file(args.answers_file) if args.answers_file else {}
    answers |= parse_answers(args.answers)
    if not answers:
        raise ClasslabError("check: give answers as ID=VALUE (e.g. 1.4=0.47) or --answers FILE")
    verdicts = check(Path(args.key), answers, args.corrected_credit)
    for id, given, ok, message in verdicts:
        print(f"{id:>4}  {given:<12} {'yes' if ok else 'no '}  {message}")
    return 0 if all(ok for _, _, ok, _ in verdicts) else 1


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return {"run": cmd_run, "merge": cmd_merge, "key": cmd_key, "check": cmd_check}[args.command](args, argv)
    except ClasslabError as err:
        print(f"classlab: error: {err}", file=sys.stderr)
        return err.exit_code
    except OSError as err:
        if err.errno == 28:  # ENOSPC
            print(f"classlab: error: {err.filename or 'disk'}: no space left on the device", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
