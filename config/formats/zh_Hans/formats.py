"""One date format for the Chinese pages (issue #12): ISO dates, 24-hour times. Templates use the
named formats (`date`, `date:"SHORT_DATE_FORMAT"`, `date:"SHORT_DATETIME_FORMAT"`,
`date:"YEAR_MONTH_FORMAT"`), never a literal pattern. The reply letter prints its date the way a
Chinese official letter does (2026年12月6日, `minyi.suggestions.letter.letter_date`)."""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "Y-m"
MONTH_DAY_FORMAT = "n月j日"
