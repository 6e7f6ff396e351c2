"""Placeholder, replaced below."""

from django.http import HttpResponse

from minyi.core.decorators import congress_view


@congress_view("reports.view_figures")
def bulletin(request):
    return HttpResponse("")


@congress_view("reports.view_figures")
def exports(request):
    return HttpResponse("")


@congress_view("reports.view_figures")
def history(request):
    return HttpResponse("")
