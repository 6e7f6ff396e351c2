"""Years seeded from the `chinese-calendar` package (2004–2026) are the State Council's published
arrangements in full: mark them complete, naming the notice. Years entered by hand stay incomplete
(provisional) until a platform administrator marks them complete with their notice."""

from django.db import migrations


def notice(year: int) -> str:
    return f"国务院办公厅关于{year}年部分节假日安排的通知（chinese-calendar 数据包）"


def mark(apps, schema_editor):
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    for cal_year in CalendarYear.objects.filter(source="package", complete=False):
        cal_year.complete = True
        cal_year.source_notice = notice(cal_year.year)
        cal_year.save(update_fields=["complete", "source_notice"])


class Migration(migrations.Migration):
    dependencies = [("workdays", "0004_year_completeness_local_closures")]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
