"""The ``classlab`` command line: each command parses its options and calls the library (``classlab._api``,
``_quiz``, ``_check``, ``_grade``, ``_merge``); what a user reads is ``DESCRIPTION`` and the commands' help."""

import argparse
import os
import json
import shlex
import signal
import sys
from pathlib import Path

from ._version import __version__
from . import _questions as questions
from .errors import ClasslabError
from ._folder import GradeFolder, RunFolder
from ._grade import ATTEMPTS, grade
from ._key import SLIPS
from .moodle.words import LANGUAGES
from .settings import SETTINGS, WHAT


DESCRIPTION = """\
classlab answers Problem Set 10 "Deep Classification" (CIFAR-10 with a dense net, a CNN and an RBF SVM; learned
features on 2-D data), writes the Moodle quiz, checks a student's numbers as Moodle reads them, and grades a class's
Moodle download with the marks Moodle gives.

  students:     classlab run                      answer the problem set (classlab run --quick: check the install)
                classlab check --key DIR 1.4=0.47 check your numbers against a key folder
  instructors:  classlab run --seeds 10 --out runs/key ...; classlab key runs/key; import runs/key/quiz.xml;
                classlab grade --key runs/key responses.csv [grades.csv]

The manual: docs/ in the project's folder (scripts/docs builds it). Each command's --help lists its options."""


def build_parser():
    parser = argparse.ArgumentParser(prog="classlab", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"classlab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, title="commands", metavar="COMMAND")
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
                         description="Write the quiz of a finished run into its folder: quiz.xml (Moodle XML: import "
                                     "this one) and quiz.gift (GIFT, which Moodle imports with less), with accepted "
                                     "ranges, tolerances and pitfall feedback; key.json remembers the options, for "
                                     "check and grade.")
    key.add_argument("run", metavar="RUN_DIR", help="a finished run (ideally of --seeds 5 or more)")
    key_options(key, remembered=False)
    key.add_argument("--force", action="store_true",
                     help="replace a key written in RUN_DIR with other options (a quiz made from it may be in Moodle)")

    check = sub.add_parser("check", help="check your answers against a run's key",
                           description="Check answers (e.g. 1.4=0.47 2.4=8) against the key of a finished run, read "
                                       "as Moodle reads them.")
    check.add_argument("answers", nargs="*", metavar="ID=VALUE", help="your answers, e.g. 1.4=0.47 1.2=cat,ship")
    check.add_argument("--key", required=True, metavar="RUN_DIR", help="the run whose answers are the key")
    check.add_argument("--answers", dest="answers_file", metavar="FILE",
                       help="your answers in a file: lines ID=VALUE, or a JSON object")
    check.add_argument("--lang", metavar="CODE", help=LANG_HELP + "; default: every language's reading, both said "
                                                      "where they differ")
    check.add_argument("--json", action="store_true", help="print only JSON: one object per answer (id, typed, "
                                                           "value, credit, verdict, feedback)")
    key_options(check, remembered=True)

    grade = sub.add_parser("grade", help="grade the class's Moodle quiz download and show what the class got wrong",
                           description="Grade a Moodle quiz's Responses download (CSV, Excel, ODS or JSON, in any "
                                       "interface language) against the key of a finished run: a verdict per answer "
                                       "(the pitfall behind a wrong number), one result per student, the class's "
                                       "mistakes, and Moodle's own marks compared. Writes "
                                       f"{', '.join(GradeFolder.SHOWN)} into --out; nothing leaves the machine.")
    grade.add_argument("responses", metavar="RESPONSES", help="the quiz's Responses report as downloaded from Moodle")
    grade.add_argument("grades", metavar="GRADES", nargs="?",
                       help="the quiz's Grades report (Results > Grades) as downloaded: Moodle's mark per question, "
                            "compared with classlab's")
    grade.add_argument("--key", required=True, metavar="RUN_DIR", help="the run whose answers are the key")
    grade.add_argument("--lang", metavar="CODE", help=LANG_HELP + "; default: the language of the download's headings")
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
    key_options(grade, remembered=True)
    grade.add_argument("--force", action="store_true", help="write into an --out that holds grades already")
    return parser


LANG_HELP = ("the students' Moodle language (its decimal and thousands separators read the numbers: on 'en' 0,27 is "
             f"27); one of {', '.join(LANGUAGES)}")


def key_options(parser, remembered):
    """The options ``classlab key`` writes the quiz with; ``check`` and ``grade`` take them from key.json."""
    default = "default: as the key was written (key.json)" if remembered else "default {}"
    parser.add_argument("--corrected-credit", type=float, default=None if remembered else 0.0, metavar="PCT",
                        help="credit (percent, one of Moodle's grades) for a number that matches the corrected "
                             f"protocol instead ({default.format(0)})")
    parser.add_argument("--separator-slips", choices=SLIPS, default=None if remembered else "feedback",
                        help="answers that catch each range typed with the other language's separators (0,27 read as "
                             "27): with feedback naming the slip and no credit, with the range's credit, or none "
                             f"({default.format('feedback')})")


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
    from .moodle.quiz import GIFT_LOSES

    paths, options, doc = write_quiz(Path(args.run), args.corrected_credit, args.separator_slips, force=args.force)
    print("Written: " + ", ".join(str(p) for p in paths))
    seeds = len(doc.get("config", {}).get("seeds", [])) or 1
    if doc.get("quick"):
        print("Warning: this key is made from a --quick run: not the problem set's answers. Make the key from a full "
              "run (classlab run --seeds 5 or more).")
    elif seeds < 5:
        print(f"Warning: this key is made from {seeds} seed{'s' if seeds != 1 else ''}: its ranges may miss a correct "
              "new run. Use --seeds 5 or more for a quiz.")
    print(f"Import {paths[0].name} (Moodle XML) in Moodle's question bank. {paths[1].name}: Moodle's GIFT import "
          f"loses {'; '.join(GIFT_LOSES)}.")
    return 0


def cmd_check(args, argv):
    from ._check import check, parse_answers, read_answers_file

    answers = read_answers_file(args.answers_file) if args.answers_file else {}
    answers = parse_answers(args.answers, given=answers)
    if not answers:
        raise ClasslabError("check: give answers as ID=VALUE (e.g. 1.4=0.47) or --answers FILE")
    checked, notes = check(Path(args.key), answers, args.lang, args.corrected_credit, args.separator_slips)
    for note in notes:
        print(f"classlab: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps([c.to_dict() for c in checked], indent=2, ensure_ascii=False))
    else:
        for c in checked:
            print(c.line())
    return 0 if all(c.ok for c in checked) else 1


def cmd_grade(args, argv):
    from ._report.grades import moodle_line, reading_line, slips, todo_line

    grades = grade(Path(args.key), Path(args.responses), out=args.out, attempt=args.attempt,
                   anonymize=args.anonymize, slots=args.slots, corrected_credit=args.corrected_credit,
                   separator_slips=args.separator_slips, lang=args.lang, grades=args.grades, force=args.force)
    doc, n = grades.doc, len(grades.students)
    source = doc["source"]
    print(f"Graded {n} student{'s' if n != 1 else ''} from {source['file']} (Moodle {source['moodle']}, headings in "
          f"'{source['headings']}').")
    for note in doc["key"]["notes"] + source["notes"]:
        print(f"  {note}")
    print(reading_line(doc))
    print(moodle_line(doc))
    for d in doc["moodle"]["differences"]:
        where = f"{d['question']} ({d['response']})" if d["question"] else "the attempt's grade"
        print(f"  {d.get('student', 'a student')}, attempt {d['attempt']}, {where}: classlab {d['classlab']:g}, "
              f"Moodle {d['moodle']:g}: {d['why']}")
    found = slips(doc)
    if found:
        print(f"Separators to review: {len(found)} answer(s) whose worth Moodle's reading of a separator changed "
              "(listed in class.html).")
    if todo_line(doc):
        print(todo_line(doc))
    for pid, p in grades.pitfalls.items():
        if p["students"]:
            print(f"  {pid}: {p['students']} student(s), on {', '.join(q for q, k in p['questions'].items() if k)}")
    print(grades.folder.written_line())
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return _main(argv)
    except BrokenPipeError:  # the reader went away (| head): end quietly, as Python's docs advise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _main(argv):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = {"run": cmd_run, "merge": cmd_merge, "key": cmd_key, "check": cmd_check,
                "grade": cmd_grade}[args.command](args, argv)
        sys.stdout.flush()
        return code
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
