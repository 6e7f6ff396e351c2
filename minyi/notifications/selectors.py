"""Reads of the inbox. A notice is only ever seen by its recipient: `access_notice` gives 404 for
another person's notice as for a missing one."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from minyi.core.kept_pages import KeyPart
from minyi.core.prepared import Prepared

from .models import Notice


def inbox(user: Any, *, unread_only: bool = False) -> QuerySet[Notice]:
    """The user's notices of every congress, newest first."""
    qs = Notice.objects.filter(recipient=user).select_related("congress")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()


def _marker_query(user_pk: int) -> QuerySet:
    return (
        Notice.objects.filter(recipient_id=user_pk)
        .values("recipient_id")
        .annotate(unread=Count("pk", filter=Q(read_at__isnull=True)), last=Max("pk"))
        .values_list("unread", "last")
    )


_MARKER = Prepared(_marker_query, -7_130_101)


def marker_text(row: tuple[Any, ...]) -> str:
    """What a kept page (`core.kept_pages`) must know of the user's notices: how many are unread (the
    menu's badge) and the newest (the inbox) — a row of `_MARKER`, read with the data version."""
    return f"notices:{row[0] or 0}.{row[1]}"


MARKER_PART = KeyPart(query=_MARKER, values=lambda request: (request.user.pk,), text=marker_text)


def access_notice(user: Any, pk: Any) -> Notice:
    try:
        return Notice.objects.select_related("congress").get(pk=int(pk), recipient=user)
    except (Notice.DoesNotExist, TypeError, ValueError):
        raise Http404("no such notice") from None


def target_url(notice: Notice) -> str:
    """Where the notice leads: its own link, else the suggestion's page (at the assignment), else the
    inbox. Resolved when shown, so it follows the pages as they are now."""
    if notice.url:
        return notice.url
    if notice.suggestion_id:
        try:
            url = reverse("suggestions:detail", args=[notice.congress.code, notice.suggestion_id])
        except NoReverseMatch:
            return reverse("notifications:inbox")
        return f"{url}#assignment-{notice.assignment_id}" if notice.assignment_id else url
    return reverse("notifications:inbox")
