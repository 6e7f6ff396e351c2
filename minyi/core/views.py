from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from minyi.core.tenancy import congresses_of, memberships_of, platform_congresses
from minyi.core.work import work_summary


@login_required
def home(request):
    """Every congress the user belongs to, with their roles in it and the open items of their 待办
    there (one query a congress); one congress → go straight there (its home shows the 待办 counts).
    A platform admin also gets every congress's members and roles page (decision 0009: that is all
    they open in a congress without a membership) and the holiday calendar."""
    congresses = congresses_of(request.user)
    platform = platform_congresses(request.user)
    if len(congresses) == 1 and not platform:
        return redirect("congress:dashboard", congresses[0].code)
    rows = []
    for congress in congresses:
        rows.append(
            {
                "congress": congress,
                "memberships": memberships_of(request.user, congress),
                "work": work_summary(request.user, congress),
            }
        )
    return render(request, "core/home.html", {"rows": rows, "platform": platform})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})
