"""The folders classlab writes, each named by one owner.

``RunFolder``: every file and folder that ``classlab run``, ``merge`` and ``key`` write into a run's
folder; what ``--force`` clears (all of it, and nothing else); what ``Run.paths`` and the "Written to"
lines show. ``GradeFolder``: what ``classlab grade`` writes.
"""

import shutil
from pathlib import Path


class Folder:
    """A folder whose files are named by the class: ``FILES`` and ``FOLDERS`` (everything it writes),
    ``SHOWN`` (what a person opens, in the order the "Written to" lines list them)."""

    FILES: tuple = ()
    FOLDERS: tuple = ()
    SHOWN: tuple = ()

    def __init__(self, path):
        self.path = Path(path)

    def __truediv__(self, name):
        return self.path / name

    def __str__(self):
        return str(self.path)

    def __repr__(self):
        return f"{type(self).__name__}({str(self.path)!r})"

    def __eq__(self, other):
        return type(other) is type(self) and other.path == self.path

    def __hash__(self):
        return hash(self.path)

    def shown(self):
        """``{name: path}`` of the files a person opens that exist now (a folder as the list of its files)."""
        out = {}
        for name in self.SHOWN:
            path = self.path / name
            if name in self.FOLDERS:
                if path.is_dir():
                    out[name] = sorted(p for p in path.iterdir() if not p.name.startswith("."))
            elif path.exists():
                out[name] = path
        return out

    @classmethod
    def listed(cls, names):
        """``names`` as the "Written to" lines list them, folders with a slash: answers.json, figures/."""
        return [name + ("/" if name in cls.FOLDERS else "") for name in names]

    def written(self):
        """The names of the files a person opens that exist now, listed."""
        return self.listed(self.shown())

    def written_line(self):
        return f"Written to {self.path}: {', '.join(self.written())}"

    def clear(self):
        """Remove every file and folder this class names (and nothing else the folder holds)."""
        for name in self.FOLDERS:
            shutil.rmtree(self.path / name, ignore_errors=True)
        for name in self.FILES:
            (self.path / name).unlink(missing_ok=True)


class RunFolder(Folder):
    ANSWERS, SHEET, REPORT, SPEC = "answers.json", "answers.md", "report.html", "run.json"
    QUIZ_XML, QUIZ_GIFT, KEY = "quiz.xml", "quiz.gift", "key.json"
    UNITS, CHECKPOINTS, FIGURES = "units", "checkpoints", "figures"
    FILES = (ANSWERS, SHEET, REPORT, SPEC, QUIZ_XML, QUIZ_GIFT, KEY)
    FOLDERS = (UNITS, CHECKPOINTS, FIGURES)
    SHOWN = (ANSWERS, SHEET, REPORT, FIGURES, QUIZ_XML, QUIZ_GIFT, KEY)

    answers = property(lambda self: self.path / self.ANSWERS)
    sheet = property(lambda self: self.path / self.SHEET)
    report = property(lambda self: self.path / self.REPORT)
    spec = property(lambda self: self.path / self.SPEC)
    quiz_xml = property(lambda self: self.path / self.QUIZ_XML)
    quiz_gift = property(lambda self: self.path / self.QUIZ_GIFT)
    key = property(lambda self: self.path / self.KEY)  # the options classlab key wrote the quiz with

    def unit(self, key):
        """Where the result of the unit ``key`` is saved."""
        return self.path / self.UNITS / f"{key}.json"

    def finished_units(self):
        """The keys of the units whose results are saved here."""
        folder = self.path / self.UNITS
        return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []

    def checkpoint(self, key):
        """Where the unit ``key`` checkpoints its training."""
        return self.path / self.CHECKPOINTS / f"{key}.pt"

    @classmethod
    def figure_name(cls, name, fmt="png"):
        """A figure's path relative to the folder, as answers.json lists it: figures/NAME.png."""
        return f"{cls.FIGURES}/{name}.{fmt}"

    def figure(self, name, fmt="png"):
        """A figure's file, and its path relative to the folder."""
        relative = self.figure_name(name, fmt)
        return self.path / relative, relative


class GradeFolder(Folder):
    GRADES, GRADES_CSV, FEEDBACK, REMARKS, PAGE = "grades.json", "grades.csv", "feedback.csv", "remarks.csv", \
        "class.html"
    FILES = (GRADES, GRADES_CSV, FEEDBACK, REMARKS, PAGE)
    SHOWN = (PAGE, REMARKS, GRADES_CSV, FEEDBACK, GRADES)

    grades = property(lambda self: self.path / self.GRADES)
    grades_csv = property(lambda self: self.path / self.GRADES_CSV)
    feedback = property(lambda self: self.path / self.FEEDBACK)
    remarks = property(lambda self: self.path / self.REMARKS)
    page = property(lambda self: self.path / self.PAGE)
