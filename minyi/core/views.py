from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from minyi.core.tenancy import congresses_of, memberships_of


@login_required
def home(request):
    """Every congress the user belongs to, with their roles in it; one congress → go straight there."""
    congresses = congresses_of(request.user)
    if len(congresses) == 1 and not request.user.is_superuser:
        return redirect("congress:dashboard", congresses[0].code)
    rows = []
    for congress in congresses:
        rows.append({"congress": congress, "memberships": memberships_of(request.user, congress)})
    return render(request, "core/home.html", {"rows": rows})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})
