"""The official calendar as published in the `chinese-calendar` package (holidays and make-up
workdays per date, with the holiday's name). Pure: reads the package, touches no database."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

#: Chinese names for the package's English holiday names (the package's own short forms are
#: "清明", "端午", "中秋"; the long official name of the 2015 day does not fit a calendar cell).
CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

HOLIDAY, WORKDAY = "holiday", "workday"  # = SpecialDay.Kind values


def chinese_name(english: str) -> str:
    if english in CHINESE_NAMES:
        return CHINESE_NAMES[english]
    from chinese_calendar.constants import Holiday

    try:
        return Holiday(english).chinese[:50]
    except ValueError:
        return english[:50]


def package_notice(year: int) -> str:
    """The notice a year seeded from the package comes from (the State Council's yearly notice)."""
    return f"国务院办公厅关于{year}年部分节假日安排的通知（chinese-calendar 数据包）"


def package_years() -> list[int]:
    """Every year the installed package has data for."""
    from chinese_calendar import constants

    return sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})


def package_days(years: Iterable[int] | None = None) -> dict[datetime.date, tuple[str, str]]:
    """date → (kind, Chinese name) for the given years (default: all the package has)."""
    from chinese_calendar import constants

    wanted = set(package_years() if years is None else years)
    out: dict[datetime.date, tuple[str, str]] = {}
    for day, name in constants.holidays.items():
        if day.year in wanted:
            out[day] = (HOLIDAY, chinese_name(name))
    for day, name in constants.workdays.items():
        if day.year in wanted:
            out[day] = (WORKDAY, chinese_name(name))  # a make-up workday wins over a holiday
    return dict(sorted(out.items()))
