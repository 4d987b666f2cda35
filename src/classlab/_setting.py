"""How a setting is declared, read and checked: the machinery behind ``classlab.settings``.

``setting(...)`` declares a field of ``Settings``; ``Setting`` reads that declaration back (flag, help, group,
check, whether it shapes an answer) and turns text (the command line) or typed values (TOML, Python) into
the field's value, checked, with one clear line for anything else.
"""

import difflib
import math
import types
import typing
from dataclasses import dataclass, field

from .errors import ClasslabError


@dataclass(frozen=True)
class Check:
    """The values a setting takes: bounds (``minimum <= v``, ``above < v``, ``v < below``, ``v <= maximum``),
    applied to each element of a list, which must be non-empty (and ``increasing``, if asked)."""

    minimum: float | None = None
    above: float | None = None
    below: float | None = None
    maximum: float | None = None
    increasing: bool = False

    def problem(self, value):
        if isinstance(value, tuple):
            if not value:
                return "give at least one value"
            if self.increasing and any(b <= a for a, b in zip(value, value[1:])):
                return f"give distinct values in increasing order, got {_text(value)}"
            return next((f"{v} {p}" for v in value if (p := self._bound(v))), None)
        problem = self._bound(value)
        return problem and f"{problem}, got {value}"

    def _bound(self, v):
        if v is None:
            return None
        if self.minimum is not None and v < self.minimum:
            return f"must be at least {_text(self.minimum)}"
        if self.above is not None and v <= self.above:
            return f"must be more than {_text(self.above)}"
        if self.below is not None and v >= self.below:
            return f"must be less than {_text(self.below)}"
        if self.maximum is not None and v > self.maximum:
            return f"must be at most {_text(self.maximum)}"
        return None

    def __str__(self):
        low = (f">= {_text(self.minimum)}" if self.minimum is not None else
               f"> {_text(self.above)}" if self.above is not None else "")
        high = (f"< {_text(self.below)}" if self.below is not None else
                f"<= {_text(self.maximum)}" if self.maximum is not None else "")
        return ", ".join(filter(None, [low, high, "increasing" if self.increasing else ""]))


POSITIVE, AT_LEAST_1 = Check(above=0), Check(minimum=1)


def setting(default, help, *, group, check=None, choices=None, shapes_answer=True):
    """A field of ``Settings`` with its declaration (see the module docstring)."""
    return field(default=default, metadata={"help": help, "group": group, "check": check, "choices": choices,
                                            "shapes_answer": shapes_answer})


class Setting:
    """One field of ``Settings`` with its declaration: flag, help, group, how its values are read and checked.
    (Read from the field when asked, not when the module is imported.)"""

    def __init__(self, f):
        self.field = f

    @property
    def name(self):
        return self.field.name

    @property
    def default(self):
        return self.field.default

    @property
    def flag(self):
        return "--" + self.name.replace("_", "-")

    help = property(lambda self: self.field.metadata["help"])
    group = property(lambda self: self.field.metadata["group"])
    check = property(lambda self: self.field.metadata["check"])
    choices = property(lambda self: self.field.metadata["choices"])
    shapes_answer = property(lambda self: self.field.metadata["shapes_answer"])

    @property
    def optional(self):
        """``int | None``: None is a value (train_subset's "all")."""
        return isinstance(self.field.type, types.UnionType) and type(None) in typing.get_args(self.field.type)

    @property
    def _base(self):
        return next(t for t in typing.get_args(self.field.type) if t is not type(None)) if self.optional \
            else self.field.type

    @property
    def is_list(self):
        return typing.get_origin(self._base) is tuple

    @property
    def type(self):
        """The type of a value, or of each value of a list."""
        return typing.get_args(self._base)[0] if self.is_list else self._base

    def value(self, raw, where, strict=False):
        """``raw`` as this setting's value, checked: typed (TOML, Python) or, unless ``strict``, also text (the
        command line). Raises ClasslabError naming ``where``."""
        try:
            value = self._parse(raw) if isinstance(raw, str) and not strict and self.type is not str else \
                self._coerce(raw)
        except ValueError as err:
            raise ClasslabError(f"{where}: {err}") from None
        if self.type is float and not math.isfinite(value):
            raise ClasslabError(f"{where}: expected a finite number, got {value}")
        problem = self.check.problem(value) if self.check is not None else None
        if problem:
            raise ClasslabError(f"{where}: {problem}")
        return value

    def _parse(self, text):
        """From text: ``10``, ``1e-3``, ``2,4,8``, ``true``/``false``."""
        text = text.strip()
        if self.is_list:
            return tuple(self._scalar(t.strip(), text) for t in text.split(",") if t.strip())
        if self.type is bool:
            if text.lower() not in ("true", "false"):
                raise ValueError(f"expected true or false, got {text!r}")
            return text.lower() == "true"
        return self._scalar(text, text)

    def _scalar(self, text, whole):
        try:
            return self.type(text)
        except ValueError:
            raise ValueError(f"expected {self.kind}, got {whole!r}") from None

    def _coerce(self, value):
        if value is None and self.optional:
            return None
        if self.is_list:
            if not isinstance(value, (list, tuple)) or not all(_is(v, self.type) for v in value):
                raise ValueError(f"expected {self.kind}, got {_described(value)}")
            return tuple(self.type(v) for v in value)
        if not _is(value, self.type):
            raise ValueError(f"expected {self.kind}, got {_described(value)}")
        if self.choices and value not in self.choices:
            raise ValueError(f"expected one of {', '.join(self.choices)}, got {value!r}")
        return self.type(value)

    @property
    def kind(self):
        """What the values are, in words."""
        if self.choices:
            return " or ".join(self.choices)
        one = {int: "an integer", float: "a number", bool: "true or false", str: "text"}[self.type]
        return f"a list of {'integers' if self.type is int else 'numbers'}" if self.is_list else one

    def describe(self):
        """The values it takes, for the help and the README: "integer >= 1", "list of integers >= 1, increasing"."""
        if self.choices:
            return " \\| ".join(self.choices)
        if self.type is bool:
            return f"{self.flag} / --no-{self.flag[2:]}"
        words = self.kind.removeprefix("an ").removeprefix("a ")
        return f"{words} {self.check}".strip() if self.check is not None else words

    def show(self, value):
        """A value as a person writes it (on the command line; booleans as in TOML)."""
        return str(value).lower() if isinstance(value, bool) else _text(value)


def _is(value, kind):
    """Whether ``value`` is of ``kind`` as TOML and JSON give it (an int is a float; a bool is neither)."""
    if isinstance(value, bool):
        return kind is bool
    if kind is float:
        return isinstance(value, (int, float))
    return isinstance(value, kind)


def _described(value):
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a table"
    names = {int: "the integer", float: "the number", str: "the text", list: "the list", tuple: "the list"}
    return f"{names.get(type(value), type(value).__name__)} {_short(value)}"


def _short(value):
    text = repr(list(value) if isinstance(value, tuple) else value)
    return text if len(text) <= 60 else text[:57] + "..."


def _text(value):
    """A value as a person writes it: 2,4,8; 0.001; 10 (not 10.0)."""
    if isinstance(value, (tuple, list)):
        return ",".join(_text(v) for v in value)
    if isinstance(value, float):
        short = f"{value:g}"
        return short if float(short) == value else repr(value)
    return str(value)


def unknown_setting(name, names):
    close = difflib.get_close_matches(str(name), names, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"unknown setting {name!r}{hint}; the settings are {', '.join(names)}"
