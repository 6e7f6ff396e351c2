from django.shortcuts import render

from minyi.core.decorators import congress_view
from minyi.core.tenancy import memberships_of


@congress_view()
def dashboard(request):
    return render(
        request,
        "congress/dashboard.html",
        {"memberships": memberships_of(request.user, request.congress)},
    )


@congress_view("congress.view_roster")
def deputies(request):
    return render(request, "congress/dashboard.html", {})


@congress_view("congress.view_roster")
def units(request):
    return render(request, "congress/dashboard.html", {})


@congress_view("congress.view_roster")
def stations(request):
    return render(request, "congress/dashboard.html", {})


@congress_view("congress.view_policy")
def policy(request):
    return render(request, "congress/dashboard.html", {})
