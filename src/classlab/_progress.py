"""Progress of a run, for a person at a terminal and for a batch job's log.

At a terminal: one overall line (tqdm) with the unit at work, elapsed time and an estimate of
what is left. Elsewhere (a log file, CI, a cluster job): one plain line per finished epoch and per
finished unit, with the elapsed time and what is left, as training tools print into logs.
"""

import sys
import time

from tqdm import tqdm  # the text bar: at a terminal and in a notebook alike


def _clock(seconds):
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def unit_log(label, stream=None):
    """A unit's ``report`` for logs, naming it ``label``: one line at the end of every epoch (or other milestone)."""
    stream = stream or sys.stderr
    start = time.perf_counter()

    def report(done, total, text="", milestone=False):
        if milestone and total:
            spent = time.perf_counter() - start
            left = spent / done * (total - done) if done else 0.0
            print(f"classlab: {label}: {text} done, {_clock(spent)} in this unit, ~{_clock(left)} left in it",
                  file=stream, flush=True)
    return report


class Progress:
    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        # A terminal, or a Jupyter notebook (whose output area redraws a progress bar in place).
        # (ipykernel's OutStream says it is no tty; asking whether ipykernel is imported is not enough:
        # a test process that ran a notebook has it too, while its stderr is a StringIO.)
        self.tty = (hasattr(self.stream, "isatty") and self.stream.isatty()) or (
            type(self.stream).__module__.startswith("ipykernel."))
        self.bar, self.labels = None, {}
        self.start_time = time.perf_counter()

    def note(self, text):
        """A line for a person at the terminal (a log gets the per-epoch and per-unit lines instead)."""
        if self.tty:
            self._print(text)

    def say(self, text):
        """A line for the terminal and the log alike (what the machine changes for the run)."""
        self._print(text)

    def _print(self, text):
        print(f"classlab: {text}", file=self.stream, flush=True)

    def start(self, units, settings, finished=(), labels=None):
        """Begin a run of ``units`` (``finished``: the keys done earlier; ``labels``: key -> name for people)."""
        self.labels = dict(labels or {})
        self.costs = {u.key: u.cost(settings) for u in units}
        self.total = sum(self.costs.values())
        self.finished_cost = sum(self.costs[u.key] for u in units if u.key in finished)
        self.counted, self.n_done, self.n = self.finished_cost, len(finished), len(units)
        self.run_start = time.perf_counter()
        if self.tty:
            self.bar = tqdm(total=self.total, initial=self.counted, file=self.stream, leave=True,
                            bar_format="{desc} |{bar:20}| {elapsed} elapsed, ~{remaining} left")
        elif self.n:
            self._print(f"{self.n - self.n_done} unit(s) of work to run" +
                      (f", {self.n_done} done earlier" if self.n_done else ""))

    def label(self, unit):
        return self.labels.get(unit.key, unit.label)

    def log_label(self, unit):
        """What a unit running elsewhere names itself in its log lines; None at a terminal (the bar shows it)."""
        return None if self.tty else self.label(unit)

    def reporter(self, unit):
        """The ``report`` a unit calls as it goes."""
        if not self.tty:
            return unit_log(self.label(unit), self.stream)
        base = self.counted

        def report(done, total, text="", milestone=False):
            if total:
                self.bar.set_description_str(f"{self.label(unit)}: {text}", refresh=False)
                # update() redraws at most every mininterval (0.1 s); a redraw per batch cost a notebook dearly
                self.bar.update(base + self.costs.get(unit.key, 0) * done / total - self.bar.n)
        return report

    def begin(self, unit):
        if self.bar is not None:
            self.bar.set_description_str(self.label(unit))

    def done(self, unit):
        self.counted += self.costs.get(unit.key, 0)
        self.n_done += 1
        if self.bar is not None:
            self.bar.n = self.counted
            self.bar.refresh()
            return
        elapsed = time.perf_counter() - self.run_start
        speed = elapsed / max(self.counted - self.finished_cost, 1e-9)
        left = (self.total - self.counted) * speed
        self._print(f"[{_clock(time.perf_counter() - self.start_time)}] finished {self.label(unit)} "
                  f"({self.n_done}/{self.n} units), ~{_clock(left)} left")

    def finish(self):
        if self.bar is not None:
            self.bar.set_description_str("all units done")
            self.bar.close()
