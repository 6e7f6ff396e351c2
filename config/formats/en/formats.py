"""One date format for the English pages (issue #12): 6 Dec 2026, 24-hour times; no Chinese
year/month/day characters. See config/formats/zh_Hans/formats.py."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATETIME_FORMAT = "j M Y H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "M Y"
MONTH_DAY_FORMAT = "j M"
