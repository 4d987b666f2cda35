"""Units of work: one model trained under one seed, one SVC, one set of facts about the data.

A unit is a small frozen dataclass that describes itself: ``key`` (stable, names its saved
result and checkpoint), ``label`` (for people), ``cost(settings)`` (rough seconds on a 2-core
CPU, for the progress estimate and for scheduling), ``needs`` (which data) and ``run(ctx, report)``,
which returns a JSON-able dict. Units know nothing of questions; questions read their results.
Being plain data, they pickle, so an executor may run them in other processes or on other machines.
"""

from .base import Unit, quiet
from .cifar import NETS, CifarFacts, CifarNet, CifarSVC
from .points import PointsFacts, PointsLogReg, PointsNet

__all__ = ["Unit", "quiet", "NETS", "CifarFacts", "CifarNet", "CifarSVC", "PointsFacts", "PointsLogReg",
           "PointsNet"]
