"""Solr date math (``NOW-1DAY``, ``NOW/DAY``, ``2020-01-01T00:00:00Z+1YEAR``)."""
from __future__ import annotations

import datetime as dt
import re

from dateutil.parser import isoparse
from dateutil.relativedelta import relativedelta

_UNITS = {
    "YEAR": "years", "MONTH": "months", "DAY": "days", "DATE": "days",
    "HOUR": "hours", "MINUTE": "minutes", "SECOND": "seconds",
    "MILLI": "microseconds", "MILLISECOND": "microseconds",
}
_BASE_RE = re.compile(r"^(NOW|\d{4}-\d{2}-\d{2}(?:T[0-9:.]+)?Z?)")
_STEP_RE = re.compile(r"([+-]\d+|/)([A-Z]+?)S?(?=[+\-/]|$)")
_ROUNDING = ["years", "months", "days", "hours", "minutes", "seconds", "microseconds"]


class DateMathError(ValueError):
    pass


def parse(expression: str, now: dt.datetime | None = None) -> dt.datetime:
    """The UTC instant a Solr date expression stands for."""
    now = now or dt.datetime.now(dt.timezone.utc)
    text = expression.strip().upper()
    match = _BASE_RE.match(text)
    if not match:
        raise DateMathError(f"Invalid Date String: '{expression}'")
    base = match.group(1)
    if base == "NOW":
        value = now
    else:
        try:
            value = isoparse(base)
        except ValueError as error:
            raise DateMathError(f"Invalid Date String: '{expression}'") from error
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
    rest = text[match.end():]
    position = 0
    for step in _STEP_RE.finditer(rest):
        if step.start() != position:
            break
        position = step.end()
        operator, unit = step.groups()
        name = _UNITS.get(unit)
        if name is None:
            raise DateMathError(f"Invalid date math unit in '{expression}'")
        if operator == "/":
            value = _round_down(value, name)
        else:
            amount = int(operator)
            if name == "microseconds":
                amount *= 1000
            value = value + relativedelta(**{name: amount})
    if position != len(rest):
        raise DateMathError(f"Invalid Date Math String: '{expression}'")
    # Solr keeps dates to the millisecond (indexed ones too: migration 0014).
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _round_down(value: dt.datetime, unit: str) -> dt.datetime:
    keep = _ROUNDING.index(unit)
    reset = {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0, "microsecond": 0}
    fields = ["month", "day", "hour", "minute", "second", "microsecond"]
    return value.replace(**{field: reset[field] for field in fields[keep:]})
