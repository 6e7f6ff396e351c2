"""The inbox (every congress of the signed-in user) and the urge (催办) pages."""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.errors import DomainError
from minyi.core.kept_pages import kept_page
from minyi.core.pages import form_page, paginate
from minyi.core.tenancy import congresses_of
from minyi.suggestions.models import Assignment, Suggestion
from minyi.suggestions.selectors import access_assignment, access_suggestion

from . import selectors, texts
from .actions import do_urge, mark_all_read, mark_read, urge_targets
from .forms import UrgeForm
from .models import Notice

PER_PAGE = 20
#: The urge form puts a refusal about the message next to the message.
URGE_ERROR_FIELDS = {"message_required": "message", "message_too_long": "message"}


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_GET
@kept_page("inbox")
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    page = paginate(request, selectors.inbox(request.user, unread_only=unread_only), PER_PAGE)
    notices = list(page.object_list)
    for notice in notices:
        notice.target = reverse("notifications:open", args=[notice.pk])
        notice.title, notice.body = texts.in_language(notice.title), texts.in_language(notice.body)
    unread = selectors.unread_count(request.user)
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "notices": notices,
            "unread_only": unread_only,
            "unread_notices": unread,
            "many_congresses": len(congresses_of(request.user)) > 1,
            "querystring": "show=unread" if unread_only else "",
            "kinds": dict(Notice.Kind.choices),
        },
    )


@login_required
@require_GET
def open_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notice to what it is about (and count it as read)."""
    notice = selectors.access_notice(request.user, pk)
    mark_read(request.user, [notice])
    return redirect(selectors.target_url(notice))


@login_required
@require_POST
def read(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.access_notice(request.user, pk)
    mark_read(request.user, [notice])
    return redirect(_back(request, reverse("notifications:inbox")))


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = mark_all_read(request.user)
    if count:
        messages.success(request, _("已将%(n)s条通知标为已读。") % {"n": count})
    else:
        messages.info(request, _("没有未读通知。"))
    return redirect(reverse("notifications:inbox"))


# --- urge (催办) -------------------------------------------------------------------------------------


def _detail_url(code: str, suggestion: Suggestion, assignment: Assignment | None = None) -> str:
    try:
        url = reverse("suggestions:detail", args=[code, suggestion.pk])
    except NoReverseMatch:
        return reverse("notifications:inbox")
    return f"{url}#assignment-{assignment.pk}" if assignment else url


def _urge(request: CongressRequest, suggestion: Suggestion, assignment: Assignment | None) -> HttpResponse:
    subject: Any = assignment or suggestion
    if not rules.has_perm("notifications.urge", request.user, subject):
        raise Http404("not permitted")
    back = _detail_url(request.congress.code, suggestion, assignment)
    problem = ""
    try:
        targets = urge_targets(suggestion, assignment)
    except DomainError as exc:
        targets, problem = [], exc.detail
    form = UrgeForm(request.POST or None)

    def page(status: int) -> HttpResponse:
        return render(
            request,
            "notifications/urge.html",
            {
                "suggestion": suggestion,
                "assignment": assignment,
                "targets": targets,
                "problem": problem,
                "form": form,
                "back": back,
            },
            status=status,
        )

    if problem and request.method == "POST":
        return page(409)  # nobody to urge: the page says why
    return form_page(
        request,
        form,
        page=page,
        run=lambda data: do_urge(subject, actor=request.user, message=data["message"]),
        success=lambda notices: _("已催办，通知已发给%(n)s人。") % {"n": len(notices)},
        next=back,
        fields=URGE_ERROR_FIELDS,
        failed=None,
    )


@congress_view()
@require_http_methods(["GET", "POST"])
def urge_suggestion(request: CongressRequest, pk: int) -> HttpResponse:
    suggestion = access_suggestion(request.user, request.congress, pk)
    return _urge(request, suggestion, None)


@congress_view()
@require_http_methods(["GET", "POST"])
def urge_assignment(request: CongressRequest, pk: int) -> HttpResponse:
    assignment = access_assignment(request.user, request.congress, pk)
    return _urge(request, assignment.suggestion, assignment)
