"""What every unit has."""


class Unit:
    """Base of the unit dataclasses (see the package docstring)."""

    stage = 9  # lower stages run first in a serial run (see ``classlab._questions.plan``)
    needs = None  # "cifar" | "points" | None
    heavy = False  # large allocations: give memory back to the system after it

    @property
    def key(self):
        raise NotImplementedError

    @property
    def label(self):
        return self.key

    def cost(self, settings):
        return 1.0

    def run(self, ctx, report=None):
        raise NotImplementedError


def quiet(done, total, text="", milestone=False):
    """A ``report`` that reports nothing: ``done`` of ``total`` steps; ``milestone`` marks an epoch's end."""
