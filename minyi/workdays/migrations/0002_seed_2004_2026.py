"""Seed the official calendar for 2004–2026 from the `chinese-calendar` package.

Self-contained on purpose (a migration must keep doing what it did when it was written): it reads
the package directly and writes through the historical models. Dates that already exist are left
alone. Later years: `python manage.py seed_calendar` after upgrading the package, or enter them on
the calendar pages.
"""

from django.db import migrations

YEARS = range(2004, 2027)
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def seed(apps, schema_editor):
    from chinese_calendar import constants

    CalendarYear = apps.get_model("workdays", "CalendarYear")
    SpecialDay = apps.get_model("workdays", "SpecialDay")
    days = {}
    for day, name in constants.holidays.items():
        if day.year in YEARS:
            days[day] = ("holiday", NAMES.get(name, name)[:50])
    for day, name in constants.workdays.items():
        if day.year in YEARS:
            days[day] = ("workday", NAMES.get(name, name)[:50])
    existing_years = set(CalendarYear.objects.values_list("year", flat=True))
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, source="package") for y in sorted({d.year for d in days} - existing_years)]
    )
    existing_days = set(SpecialDay.objects.values_list("date", flat=True))
    SpecialDay.objects.bulk_create(
        [
            SpecialDay(date=day, year_id=day.year, kind=kind, name=name)
            for day, (kind, name) in sorted(days.items())
            if day not in existing_days
        ],
        batch_size=200,
    )


def unseed(apps, schema_editor):
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    CalendarYear.objects.filter(year__in=YEARS, source="package").delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
