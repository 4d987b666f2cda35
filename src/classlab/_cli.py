"""The ``classlab`` command line: a thin layer over ``classlab._runner`` (and ``classlab._merge``)."""

import argparse
import shlex
import signal
import sys
from pathlib import Path

from . import __version__
from . import _questions as questions
from .errors import ClasslabError
from .settings import DEFAULT


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


def run_options(args, argv):
    """``classlab.run``'s keyword arguments from the parsed command line."""
    return dict(questions=args.only, seeds=args.seeds, seed_list=args.seed_list, quick=args.quick, cifar=args.cifar,
                data_dir=args.data_dir, points_x=args.points_x, points_y=args.points_y,
                skip_bad_images=args.skip_bad_images, epochs=args.epochs, batch_size=args.batch_size,
                points_epochs=args.points_epochs, points_batch_size=args.points_batch_size,
                train_subset=args.train_subset, test_subset=args.test_subset, svc_points=args.svc_points,
                device=args.device, pipeline=args.pipeline, precision=args.precision, threads=args.threads,
                curves=not args.no_curves, command=["classlab", *argv])


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt  # a pre-empted cluster job stops like Ctrl-C: checkpoints kept, resumable


def cmd_run(args, argv):
    from . import _api as api
    from ._report.sheet import render_sheet

    where = dict(workers=args.workers, ray=args.ray, ray_address=args.ray_address)
    if args.resume:
        options = {"resume": args.resume}
        out = Path(args.resume)
    else:
        options = dict(run_options(args, argv), out=args.out, force=args.force)
        if args.out is None:
            from ._runner import default_out_dir

            options["out"] = default_out_dir()
        out = Path(options["out"])
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        result = api.run(**options, **where)
    except KeyboardInterrupt:
        done = sorted(p.stem for p in (out / "units").glob("*.json")) if (out / "units").is_dir() else []
        print(f"\nclasslab: interrupted. Finished: {', '.join(done) or 'nothing yet'}. "
              f"Continue with: classlab run --resume {shlex.quote(str(out))}", file=sys.stderr)
        return 130
    print(render_sheet(result.doc, result.out))
    return 0


def cmd_merge(args, argv):
    from ._merge import merge
    from ._report.sheet import render_sheet

    out = Path(args.out)
    doc = merge(out, [Path(r) for r in args.runs], force=args.force, command=["classlab", *argv])
    print(render_sheet(doc, out))
    return 0


def cmd_key(args, argv):
    from ._quiz import write_quiz

    paths = write_quiz(Path(args.run), args.corrected_credit)
    print("Written: " + ", ".join(str(p) for p in paths))
    return 0


def cmd_check(args, argv):
    from ._check import check, parse_answers, read_answers_file

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
