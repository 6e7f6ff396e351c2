"""Drafting (提出): start a draft, edit it (or a returned suggestion), and its attachments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.accounts.models import Role
from minyi.congress.models import Deputy
from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.errors import DomainError

from .. import actions as A
from .. import selectors
from ..forms import SuggestionForm
from ..rules import roles_of
from ._common import Call, Step, add_attachments, can_create, detail_url, error_status, put_error

CONTENT_CODES = {
    "title_required": "title",
    "title_too_long": "title",
    "collected_in_future": "collected_on",
    "lead_required": "lead",
    "not_in_office": "lead",
    "bad_kind": "kind",
}


def _save(request: CongressRequest, form: SuggestionForm, template: str, context: dict, save) -> HttpResponse:
    """GET: the form. POST: validate → the action(s) → detail; or the form again with every error."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    suggestion = save()
                    add_attachments(
                        suggestion, form.cleaned_data.get("attachments") or [], actor=request.user
                    )
            except DomainError as exc:
                messages.error(request, exc.detail)
                put_error(form, exc, CONTENT_CODES)
                status = error_status(exc)
            else:
                messages.success(request, _("已保存。提交前可以继续修改、邀请联名代表。"))
                return redirect(detail_url(request, suggestion))
        else:
            messages.error(request, _("请按提示修改后再提交。"))
            status = 422
        if request.FILES:
            messages.warning(request, _("出于安全原因，已选择的附件没有保存，请重新选择。"))
    return render(request, template, {"form": form, **context}, status=status)


@congress_view()
def create(request: CongressRequest) -> HttpResponse:
    user, congress = request.user, request.congress
    if not can_create(user, congress):
        raise Http404("may not draft")
    own = Deputy.objects.filter(congress=congress, user=user).first()
    # A liaison clerk drafts for a deputy; a deputy drafts for themself.
    choose_lead = own is None or Role.LIAISON_CLERK in roles_of(user, congress)
    initial: dict[str, Any] = {"lead": own.pk} if (own and choose_lead) else {}
    form = SuggestionForm(
        request.POST or None,
        request.FILES or None,
        congress=congress,
        choose_lead=choose_lead,
        initial=initial,
    )

    def save():
        lead = form.cleaned_data.get("lead") if choose_lead else own
        return A.do_create_suggestion(congress, actor=user, content=form.content(), lead=lead)

    return _save(request, form, "suggestions/form.html", {"creating": True}, save)


@congress_view()
def edit(request: CongressRequest, pk: int) -> HttpResponse:
    user, congress = request.user, request.congress
    suggestion = selectors.access_suggestion(user, congress, pk, perm="suggestions.edit")
    if "edit" not in selectors.available_actions(user, suggestion):
        messages.error(
            request, _("建议当前状态为“%(s)s”，不能修改。") % {"s": suggestion.get_state_display()}
        )
        return redirect(detail_url(request, suggestion))
    form = SuggestionForm(request.POST or None, request.FILES or None, congress=congress, instance=suggestion)
    attachments = list(suggestion.attachments.filter(reply__isnull=True))
    remove_step = REMOVE_ATTACHMENT
    removals = [(a, remove_step.url(congress.code, suggestion, a)) for a in attachments]
    return _save(
        request,
        form,
        "suggestions/form.html",
        {"s": suggestion, "removals": removals, "remove_confirm": remove_step.confirm_text()},
        lambda: A.do_update_suggestion(suggestion, actor=user, content=form.content()),
    )


def _after_removal(call: Call, _result) -> str:
    attachment = call.obj
    code = call.congress.code
    if attachment.reply_id:
        return reverse("suggestions:draft_reply", args=[code, attachment.reply.assignment_id])
    return reverse("suggestions:edit", args=[code, call.suggestion.pk])


REMOVE_ATTACHMENT = Step(
    "remove_attachment",
    "attachment",
    lambda c: A.do_remove_attachment(c.obj, actor=c.user),
    label=gettext_lazy("删除附件"),
    # the same permission as adding one: the drafters for the suggestion's files, the unit for a reply's
    perm=lambda attachment: "suggestions.draft_reply" if attachment.reply_id else "suggestions.edit",
    confirm=gettext_lazy("确定删除这个附件吗？"),
    style="outline-danger",
    success=gettext_lazy("已删除附件。"),
    next=_after_removal,
)

STEPS = [REMOVE_ATTACHMENT]
