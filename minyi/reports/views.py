"""Figures pages (first version; placeholders replaced below)."""

from django.http import Http404


def figures_page(request, code):
    raise Http404


figure_detail = league_page = unit_page = figures_page
