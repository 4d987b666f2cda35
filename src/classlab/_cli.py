"""The ``classlab`` command line: a thin layer over ``classlab._runner`` (and ``classlab._merge``)."""

import argparse
import shlex
import signal
import sys
from pathlib import Path

from ._version import __version__
from . import _questions as questions
from .errors import ClasslabError
from ._folder import GradeFolder, RunFolder
from ._grade import ATTEMPTS, grade
from .settings import SETTINGS, WHAT


def build_parser():
    parser = argparse.ArgumentParser(prog="classlab", description=__doc__)
    parser.add_argument("--version", action="version", version=f"classlab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    shown = ", ".join(RunFolder.listed(RunFolder.SHOWN[:4]))
    run = sub.add_parser("run", help="answer the questions of Problem Set 10 and write the report",
                         description=f"Answer the questions of Problem Set 10 and write {shown} into --out. "
                                     "Every setting of the problem set has a flag below (its default is the "
                                     "problem set's); --config FILE.toml sets them from a file, and flags win.")
    groups = {}

    def group(title):
        return groups.setdefault(title, run.add_argument_group(title))

    data = group("data")
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
    what = group(WHAT)
    what.add_argument("--only", metavar="IDS", help=f"comma-separated question ids (default: all of {', '.join(questions.ALL)})")
    what.add_argument("--seeds", type=int, default=1, metavar="N", help="repeat with seeds 0..N-1 (default 1)")
    what.add_argument("--seed-list", metavar="S,S,...", help="repeat with exactly these seeds")
    what.add_argument("--config", metavar="FILE.toml",
                      help="settings from a TOML file, keyed by the settings' names (epochs = 3, widths = [2, 4]); "
                           "flags given here win")
    for s in SETTINGS.values():
        add_setting(group(s.group), s)
    where = group("where to run (the numbers do not depend on it, given the same --threads)")
    where.add_argument("--threads", type=int, metavar="N",
                       help="CPU threads each unit of work computes with (default: all cores, shared among --workers; "
                            "1 per Ray task)")
    where.add_argument("--workers", type=int, metavar="N", help="run units in N local processes")
    where.add_argument("--ray", action="store_true", help="run each unit as a task on a local Ray instance")
    where.add_argument("--ray-address", metavar="ADDR", help="run each unit as a task on the Ray cluster at ADDR")
    out = group("output")
    out.add_argument("--out", metavar="DIR", help="output folder (default: a new folder under ./runs/)")
    out.add_argument("--force", action="store_true",
                     help="write into an --out that holds a run already (everything of that run is removed first)")
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

    grade = sub.add_parser("grade", help="grade the class's Moodle quiz export and show what the class got wrong",
                           description="Grade a Moodle quiz's Responses download (CSV, Excel or JSON) against the key "
                                       "of a finished run: a verdict per answer (the pitfall behind a wrong number), "
                                       "one result per student, and the class's mistakes. Writes "
                                       f"{', '.join(GradeFolder.SHOWN)} into --out; nothing leaves the machine.")
    grade.add_argument("responses", metavar="RESPONSES", help="the quiz's Responses report as downloaded from Moodle")
    grade.add_argument("--key", required=True, metavar="RUN_DIR", help="the run whose answers are the key")
    grade.add_argument("--out", metavar="DIR", help="folder for the grades (default: RESPONSES' name + '-graded', "
                                                    "beside it)")
    grade.add_argument("--attempt", choices=ATTEMPTS, default="best",
                       help="which attempt counts when a student has several (default: best, Moodle's 'highest "
                            "grade')")
    grade.add_argument("--anonymize", action="store_true",
                       help="pseudonyms (Student 01, ..., numbered in an order drawn from the file, not the names) "
                            "instead of names and e-mails in every output, e.g. for a lecture")
    grade.add_argument("--slots", metavar="IDS", help="the question id of each response column, in order "
                                                      "('-' skips one); default: from the question texts")
    grade.add_argument("--corrected-credit", type=float, default=0.0, metavar="PCT",
                       help="credit (percent, one of Moodle's grades) for a corrected-protocol number, as in the "
                            "quiz (default 0)")
    grade.add_argument("--force", action="store_true", help="write into an --out that holds grades already")
    return parser


def add_setting(group, s):
    """A setting's flag, from its declaration; given flags only reach the namespace (flags win over --config)."""
    default = "all" if s.default is None else s.show(s.default)
    if s.type is bool:
        group.add_argument(s.flag, action=argparse.BooleanOptionalAction, default=argparse.SUPPRESS,
                           help=f"{s.help} (default: {'on' if s.default else 'off'})")
        return
    metavar = "{" + ",".join(s.choices) + "}" if s.choices else "N,N,..." if s.is_list else \
        "N" if s.type is int else "X"
    group.add_argument(s.flag, dest=s.name, default=argparse.SUPPRESS, metavar=metavar,
                       help=f"{s.help} (default: {default})")


def run_options(args, argv):
    """``classlab.run``'s keyword arguments from the parsed command line (settings as text; checked there)."""
    return dict(questions=args.only, seeds=args.seeds, seed_list=args.seed_list, config=args.config,
                cifar=args.cifar, data_dir=args.data_dir, points_x=args.points_x, points_y=args.points_y,
                skip_bad_images=args.skip_bad_images, threads=args.threads, command=["classlab", *argv],
                **{name: getattr(args, name) for name in SETTINGS if hasattr(args, name)})


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
        done = RunFolder(out).finished_units()
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
    for id, given, verdict in verdicts:
        print(f"{id:>4}  {given:<12} {'yes' if verdict.ok else 'no '}  {verdict.feedback}")
    return 0 if all(verdict.ok for _, _, verdict in verdicts) else 1


def cmd_grade(args, argv):
    grades = grade(Path(args.key), Path(args.responses), out=args.out, attempt=args.attempt,
                   anonymize=args.anonymize, slots=args.slots, corrected_credit=args.corrected_credit,
                   force=args.force)
    n, pitfalls = len(grades.students), grades.pitfalls
    print(f"Graded {n} student{'s' if n != 1 else ''}.")
    for pid, p in pitfalls.items():
        if p["students"]:
            print(f"  {pid}: {p['students']} student(s), on {', '.join(q for q, k in p['questions'].items() if k)}")
    print(grades.folder.written_line())
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return {"run": cmd_run, "merge": cmd_merge, "key": cmd_key, "check": cmd_check,
                "grade": cmd_grade}[args.command](args, argv)
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
