"""A congress's own local closures (本地停止办公日: a typhoon day …) and the recalculation of its
deadlines afterwards. Only the congress's admins; the national calendar is for platform
administrators (minyi/workdays/views.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.errors import DomainError
from minyi.workdays.actions import do_add_local_closure, do_remove_local_closure
from minyi.workdays.forms import LocalClosureForm, RemoveDayForm
from minyi.workdays.models import LocalClosure
from minyi.workdays.rules import can_manage_local_closures
from minyi.workdays.views import recompute_page


def _need_admin(request: CongressRequest) -> None:
    if not can_manage_local_closures(request.user, request.congress):
        raise Http404("not permitted")


def _page(request: CongressRequest, form: LocalClosureForm, status: int = 200) -> HttpResponse:
    congress = request.congress
    return render(
        request,
        "workdays/local_closures.html",
        {
            "closures": LocalClosure.objects.filter(congress=congress).order_by("-date"),
            "form": form,
        },
        status=status,
    )


def _recompute_url(code: str, year: int) -> str:
    return reverse("supervision:closures_recompute", args=[code]) + f"?years={year}"


@congress_view()
def local_closures(request: CongressRequest) -> HttpResponse:
    _need_admin(request)
    congress = request.congress
    if request.method == "POST":
        form = LocalClosureForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                closure = do_add_local_closure(congress, data["date"], actor=request.user, name=data["name"])
            except DomainError as error:
                form.add_error(LocalClosureForm.ERROR_FIELDS.get(error.code), error.detail)
            else:
                messages.success(
                    request,
                    _("已录入本地停止办公日 %(date)s（%(name)s）。请预览并确认需要调整的期限。")
                    % {"date": closure.date.isoformat(), "name": closure.name},
                )
                return redirect(_recompute_url(congress.code, closure.date.year))
        return _page(request, form, status=422)
    return _page(request, LocalClosureForm())


@congress_view()
@require_POST
def remove_local_closure(request: CongressRequest) -> HttpResponse:
    _need_admin(request)
    congress = request.congress
    form = RemoveDayForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("supervision:closures", congress.code)
    day = form.cleaned_data["date"]
    try:
        do_remove_local_closure(congress, day, actor=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("supervision:closures", congress.code)
    messages.success(
        request, _("已删除本地停止办公日 %(date)s。请预览并确认需要调整的期限。") % {"date": day.isoformat()}
    )
    return redirect(_recompute_url(congress.code, day.year))


@congress_view()
def closures_recompute(request: CongressRequest) -> HttpResponse:
    _need_admin(request)
    congress = request.congress
    query = request.GET.urlencode()
    return recompute_page(
        request,
        congress=congress,
        action_url=reverse("supervision:closures_recompute", args=[congress.code])
        + (f"?{query}" if query else ""),
        back_url=reverse("supervision:closures", args=[congress.code]),
    )
