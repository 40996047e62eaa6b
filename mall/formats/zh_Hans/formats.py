"""Simplified Chinese dates "2026年12月3日 14:30"; numbers grouped by thousands with commas,
as Chinese B2B platforms show amounts and quantities (Django's own zh_Hans groups none)."""

DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "n月j日"
YEAR_MONTH_FORMAT = "Y年n月"
SHORT_DATE_FORMAT = "Y-m-d"
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
