"""One overall progress line: question, step, elapsed, estimate of what is left (tqdm).

It stays quiet when the stream is not a terminal (logs, CI, cluster jobs).
"""

from tqdm.auto import tqdm

from .units import CifarNet, CifarSVC, PointsLogReg


def _label(unit):
    if isinstance(unit, CifarNet):
        return f"{'1.4 dense' if unit.model == 'dense' else '1.6 CNN'} seed {unit.seed}"
    if isinstance(unit, CifarSVC):
        return f"1.7-1.8 SVC seed {unit.seed}"
    if isinstance(unit, PointsLogReg):
        return "2.1 logistic regression"
    return f"2.3-2.4 {unit.protocol} width {unit.hidden_dim}" + (f" x{unit.n_hidden}" if unit.n_hidden > 1 else "")


def _cost(unit, settings, ctx):
    """Rough relative cost in seconds on a 2-core CPU, only to estimate what is left."""
    s = settings
    if isinstance(unit, (CifarNet, CifarSVC)):
        n = len(ctx.cifar.train_y)
        if isinstance(unit, CifarSVC):
            return 2 * 12.0 * (min(n, s.svc_train_points) / 10_000) ** 2 + 1
        return s.epochs * n / 50_000 * (1.5 if unit.model == "dense" else 10.0) + 1
    if isinstance(unit, PointsLogReg):
        return 0.05
    return 0.004 * s.points_epochs


class Progress:
    def __init__(self, stream):
        self.stream = stream
        self.bar = None
        self.enabled = hasattr(stream, "isatty") and stream.isatty()

    def note(self, text):
        if self.enabled:
            print(f"classlab: {text}", file=self.stream, flush=True)

    def start(self, units, settings, ctx):
        self.costs = {u.key: _cost(u, settings, ctx) for u in units}
        self.bar = tqdm(total=sum(self.costs.values()), file=self.stream, disable=not self.enabled,
                        bar_format="{desc} |{bar:20}| {elapsed} elapsed, ~{remaining} left", leave=True)
        self.base = 0.0

    def begin(self, unit):
        if self.bar is not None:
            self.bar.set_description_str(_label(unit))

    def unit_step(self, unit, step, done, total):
        if self.bar is not None and total:
            self.bar.set_description_str(f"{_label(unit)}: {step}", refresh=False)
            self.bar.n = self.base + self.costs.get(unit.key, 0) * done / total
            self.bar.refresh()

    def done(self, unit, skipped=False):
        if self.bar is not None:
            self.base += self.costs.get(unit.key, 0)
            self.bar.n = self.base
            if skipped:
                self.bar.set_description_str(f"{_label(unit)}: done earlier")
            self.bar.refresh()

    def finish(self):
        if self.bar is not None:
            self.bar.set_description_str("all units done")
            self.bar.close()
