"""Periods: a year ("2026") or a quarter ("2026Q3") — of the points ledger and of award rounds, so
both apps share them without importing each other (moved from points, issue #11)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

_PATTERN = re.compile(r"^\s*(\d{4})\s*(?:[Qq]\s*([1-4]))?\s*$")
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None

    @classmethod
    def parse(cls, text: str) -> Period:
        """ "2026" or "2026Q3" (ValueError otherwise)."""
        match = _PATTERN.match(text or "")
        if not match:
            raise ValueError(f"not a period: {text!r} (use 2026 or 2026Q3)")
        year = int(match.group(1))
        if not 2000 <= year <= 2100:
            raise ValueError(f"year out of range: {year}")
        return cls(year, int(match.group(2)) if match.group(2) else None)

    @classmethod
    def quarter_containing(cls, day: datetime.date) -> Period:
        return cls(day.year, quarter_of(day))

    @classmethod
    def current(cls) -> Period:
        return cls.quarter_containing(timezone.localdate())

    @classmethod
    def last_quarter(cls, today: datetime.date | None = None) -> Period:
        today = today or timezone.localdate()
        q = quarter_of(today)
        return cls(today.year - 1, 4) if q == 1 else cls(today.year, q - 1)

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def end(self) -> datetime.date:
        if self.quarter is None or self.quarter == 4:
            return datetime.date(self.year, 12, 31)
        return datetime.date(self.year, 3 * self.quarter + 1, 1) - datetime.timedelta(days=1)

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def label(self) -> str:
        return f"{self.year}年{QUARTER_NAMES[self.quarter]}" if self.quarter else f"{self.year}年"

    def __str__(self) -> str:
        return self.code


def cap_bucket(cap_period: str, day: datetime.date) -> str:
    """The cap period (a quarter or a year) that `day` falls in."""
    return f"{day.year}Q{quarter_of(day)}" if cap_period == "quarter" else str(day.year)
