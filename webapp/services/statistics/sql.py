"""SQL expressions the figures need that differ between SQLite and PostgreSQL: the county's
local date and month of a UTC timestamp, and percentiles by window functions (both engines)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, String, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.expression import FunctionElement

LOCAL_ZONE = "Asia/Shanghai"
LOCAL_OFFSET = "+8 hours"  # China has had no daylight saving time since 1991


class local_day(FunctionElement[Any]):
    """The county's calendar date of a UTC timestamp column."""

    type = Date()
    inherit_cache = True


class local_month(FunctionElement[Any]):
    """The county's calendar month ``YYYY-MM`` of a UTC timestamp column."""

    type = String()
    inherit_cache = True


@compiles(local_day, "sqlite")
def _local_day_sqlite(element: local_day, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '{LOCAL_OFFSET}')"


@compiles(local_day)
def _local_day_pg(element: local_day, compiler: Any, **kw: Any) -> str:
    return (f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE '{LOCAL_ZONE}' "
            "AS DATE)")


@compiles(local_month, "sqlite")
def _local_month_sqlite(element: local_month, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)}, '{LOCAL_OFFSET}')"


@compiles(local_month)
def _local_month_pg(element: local_month, compiler: Any, **kw: Any) -> str:
    return (f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE "
            f"'{LOCAL_ZONE}', 'YYYY-MM')")


@dataclass(frozen=True)
class Spread:
    """How many values a group has, and their median and 90th percentile."""

    n: int
    median: float | None
    p90: float | None


def _interpolate(lo: float | None, hi: float | None, frac: float) -> float | None:
    if lo is None or hi is None:
        return None
    return round(float(lo) + (float(hi) - float(lo)) * frac, 2)


def spread(values: Iterable[float]) -> Spread:
    """Median and 90th percentile of ``values``, interpolated as :func:`percentiles` does."""
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return Spread(0, None, None)

    def at(pct: int) -> float | None:
        pos = n - 1
        return _interpolate(ordered[(pct * pos) // 100], ordered[(pct * pos + 99) // 100],
                            ((pct * pos) % 100) / 100)

    return Spread(n, at(50), at(90))


def spread_of_counts(counts: Mapping[int, int]) -> Spread:
    """:func:`spread` of a histogram ({value: how many}): the same numbers, read from the
    cumulative counts instead of every value (the unit is whole working days)."""
    bars = sorted((v, n) for v, n in counts.items() if n > 0)
    total = sum(n for _, n in bars)
    if not total:
        return Spread(0, None, None)

    def value(rank: int) -> int:
        seen = 0
        for v, n in bars:
            seen += n
            if rank < seen:
                return v
        raise IndexError(rank)  # pragma: no cover - ranks are below total

    def at(pct: int) -> float | None:
        pos = total - 1
        return _interpolate(value((pct * pos) // 100), value((pct * pos + 99) // 100),
                            ((pct * pos) % 100) / 100)

    return Spread(total, at(50), at(90))


def percentiles(session: Any, values: Any, key: ColumnElement[Any], value: ColumnElement[Any]
                ) -> dict[Any, Spread]:
    """Median and 90th percentile of ``value`` per ``key`` over the FROM of ``values``.

    ``values`` is a SELECT yielding the two columns ``key`` and ``value``; percentiles are
    interpolated between the two nearest ranks exactly as PostgreSQL's ``percentile_cont``
    (and Python's ``statistics.quantiles(method="inclusive")``), computed with window
    functions and integer arithmetic so SQLite gives the same numbers.
    """
    sub = values.with_only_columns(key.label("k"), value.label("v")).where(
        value.is_not(None)).subquery()
    ranked = select(
        sub.c.k, sub.c.v,
        (func.row_number().over(partition_by=sub.c.k, order_by=sub.c.v) - 1).label("r"),
        func.count().over(partition_by=sub.c.k).label("n")).subquery()
    columns: list[Any] = [ranked.c.k, func.max(ranked.c.n)]
    for pct in (50, 90):
        pos = ranked.c.n - 1
        lo = (pct * pos) // 100         # integer division on both engines
        hi = (pct * pos + 99) // 100
        columns += [func.max(case((ranked.c.r == lo, ranked.c.v))),
                    func.max(case((ranked.c.r == hi, ranked.c.v))),
                    func.max((pct * pos) % 100)]
    out: dict[Any, Spread] = {}
    for row in session.execute(select(*columns).group_by(ranked.c.k)):
        k, n, m_lo, m_hi, m_frac, p_lo, p_hi, p_frac = row
        out[k] = Spread(int(n), _interpolate(m_lo, m_hi, int(m_frac or 0) / 100),
                        _interpolate(p_lo, p_hi, int(p_frac or 0) / 100))
    return out

