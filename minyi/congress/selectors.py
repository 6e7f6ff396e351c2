"""Reads of congress-level records. Every list here is scoped to one congress and joins what its page
shows (`select_related` / `prefetch_related`), so a page costs the same few queries however many rows
it lists. `get_*` helpers fetch one row of a congress and raise 404 both when it does not exist and
when it belongs to another congress, so ids cannot be probed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import FieldDoesNotExist
from django.db.models import BooleanField, Case, Count, Q, QuerySet, TimeField, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.accounts.models import Membership, Role
from minyi.audit.models import AuditEvent

from .models import (
    TAXONOMIES,
    Congress,
    Deputy,
    DeputyGroup,
    LiaisonStation,
    Policy,
    PolicyItem,
    Session,
    Term,
    Unit,
)

# --- one row of a congress (404 otherwise) ---------------------------------------------------------


def get_deputy(congress: Congress, pk: int) -> Deputy:
    return get_object_or_404(Deputy.objects.select_related("group", "user"), pk=pk, congress=congress)


def get_group(congress: Congress, pk: int) -> DeputyGroup:
    return get_object_or_404(DeputyGroup, pk=pk, congress=congress)


def get_station(congress: Congress, pk: int) -> LiaisonStation:
    return get_object_or_404(LiaisonStation.objects.select_related("group"), pk=pk, congress=congress)


def get_unit(congress: Congress, pk: int) -> Unit:
    return get_object_or_404(Unit.objects.select_related("parent", "body"), pk=pk, congress=congress)


def get_term(congress: Congress, pk: int) -> Term:
    return get_object_or_404(Term, pk=pk, congress=congress)


def get_session(congress: Congress, pk: int) -> Session:
    return get_object_or_404(Session.objects.select_related("term"), pk=pk, term__congress=congress)


def get_taxonomy_item(congress: Congress, kind: str, pk: int) -> PolicyItem:
    model = TAXONOMIES.get(kind)
    if model is None:
        from django.http import Http404

        raise Http404("no such taxonomy")
    return get_object_or_404(model, pk=pk, congress=congress)


def get_membership(congress: Congress, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "unit", "station", "congress"), pk=pk, congress=congress
    )


# --- lists -----------------------------------------------------------------------------------------


if TYPE_CHECKING:
    # What `deputies_for` annotates on each deputy: the type checker's view of its rows (the roster
    # page, its export and the API read `is_current`). Nothing is an instance of this class at run
    # time; the rows are the model's own.
    class RosterDeputy(Deputy):
        is_current: bool


def deputies_for(congress: Congress, filters: dict[str, Any] | None = None) -> QuerySet[RosterDeputy]:
    """Deputies of `congress`. Filters (all optional): ``q`` (name, number or electoral district),
    ``group`` (a DeputyGroup or its id), ``in_office`` ("yes" / "no", on ``on`` or today),
    ``level`` (Deputy.Level value)."""
    filters = filters or {}
    on: datetime.date = filters.get("on") or timezone.localdate()
    current = Q(in_office_from__lte=on) & (Q(in_office_to__isnull=True) | Q(in_office_to__gte=on))
    qs = (
        Deputy.objects.filter(congress=congress)
        .select_related("group", "user")
        .annotate(
            is_current=Case(
                When(current, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
    )
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(number__icontains=q) | Q(electoral_district__icontains=q))
    group = filters.get("group")
    if group:
        qs = qs.filter(group=group)
    level = filters.get("level")
    if level:
        qs = qs.filter(level=level)
    in_office = filters.get("in_office")
    if in_office in ("yes", "no"):
        qs = qs.filter(current) if in_office == "yes" else qs.exclude(current)
    return cast("QuerySet[RosterDeputy]", qs.order_by("number", "pk"))


def groups_for(congress: Congress, filters: dict[str, Any] | None = None) -> QuerySet[DeputyGroup]:
    filters = filters or {}
    qs = DeputyGroup.objects.filter(congress=congress).annotate(
        deputy_count=Count("deputies", distinct=True), station_count=Count("stations", distinct=True)
    )
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(convener__icontains=q))
    return qs.order_by("name", "pk")


def stations_for(congress: Congress, filters: dict[str, Any] | None = None) -> QuerySet[LiaisonStation]:
    filters = filters or {}
    qs = LiaisonStation.objects.filter(congress=congress).select_related("group")
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q))
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("group"):
        qs = qs.filter(group=filters["group"])
    active = filters.get("active")
    if active in ("yes", "no"):
        qs = qs.filter(active=active == "yes")
    return qs.order_by("name", "pk")


@dataclass
class UnitNode:
    unit: Unit
    depth: int
    child_count: int


def units_tree(congress: Congress, *, include_inactive: bool = True) -> list[UnitNode]:
    """All units of `congress` in tree order (bodies first, each followed by its subtree; siblings by
    `order`, then name), with their depth. One query."""
    units = list(
        Unit.objects.filter(congress=congress).select_related("parent").order_by("order", "name", "pk")
    )
    if not include_inactive:
        units = [u for u in units if u.active]
    present = {u.pk for u in units}
    children: dict[int | None, list[Unit]] = {}
    for u in units:
        parent_id = u.parent_id if u.parent_id in present else None
        children.setdefault(parent_id, []).append(u)
    body_rank = {code: i for i, code in enumerate(Unit.BodyCode.values)}
    roots = sorted(
        children.get(None, []),
        key=lambda u: (u.kind != Unit.Kind.BODY, body_rank.get(u.body_code, 99), u.order, u.name),
    )
    out: list[UnitNode] = []
    stack: list[tuple[Unit, int]] = [(u, 0) for u in reversed(roots)]
    seen: set[int] = set()
    while stack:
        unit, depth = stack.pop()
        if unit.pk in seen:
            continue
        seen.add(unit.pk)
        kids = children.get(unit.pk, [])
        out.append(UnitNode(unit, depth, len(kids)))
        stack.extend((child, depth + 1) for child in reversed(kids))
    return out


def unit_choices(
    congress: Congress, *, exclude_subtree_of: Unit | None = None, active_only: bool = True
) -> list:
    """(id, indented name) pairs for a parent/unit picker, in tree order."""
    nodes = units_tree(congress, include_inactive=not active_only)
    skip: set[int] = set()
    if exclude_subtree_of is not None and exclude_subtree_of.pk:
        skipping_depth: int | None = None
        for node in nodes:
            if skipping_depth is not None and node.depth <= skipping_depth:
                skipping_depth = None
            if node.unit.pk == exclude_subtree_of.pk:
                skipping_depth = node.depth
            if skipping_depth is not None:
                skip.add(node.unit.pk)
    return [(n.unit.pk, "　" * n.depth + n.unit.name) for n in nodes if n.unit.pk not in skip]


def terms_for(congress: Congress) -> QuerySet[Term]:
    return Term.objects.filter(congress=congress).prefetch_related("sessions").order_by("-number")


def taxonomy_items(congress: Congress, kind: str) -> QuerySet[PolicyItem]:
    return TAXONOMIES[kind]._default_manager.filter(congress=congress).order_by("order", "pk")


def members_for(congress: Congress, filters: dict[str, Any] | None = None) -> QuerySet[Membership]:
    """Roles held in `congress` (active ones unless ``revoked`` is "yes"), with user, unit and station."""
    filters = filters or {}
    qs = Membership.objects.filter(congress=congress).select_related("user", "unit", "station")
    qs = qs.filter(active=filters.get("revoked") != "yes")
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(user__username__icontains=q) | Q(user__full_name__icontains=q))
    if filters.get("role"):
        qs = qs.filter(role=filters["role"])
    return qs.order_by("user__full_name", "user__username", "role", "pk")


def admin_count(congress: Congress) -> int:
    return Membership.objects.filter(congress=congress, role=Role.CONGRESS_ADMIN, active=True).count()


# --- policy and its history ------------------------------------------------------------------------


@dataclass
class FieldChange:
    name: str
    label: str
    old: Any
    new: Any


def display_value(field, value: Any) -> Any:
    """A field's value as a person reads it (choices by label, yes/no, times as HH:MM)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    choices = getattr(field, "choices", None)
    if choices:
        return dict(choices).get(value, value)
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(field, TimeField) and isinstance(value, str):
        return value[:5]
    return value


def policy_history(policy: Policy) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(object_type=Policy._meta.label_lower, object_id=str(policy.pk))
        .select_related("actor")
        .order_by("-seq")
    )


def describe_changes(model, event: AuditEvent) -> list[FieldChange]:
    """An audit row's old/new values as (label, old → new) lines, in the model's words."""
    old = event.old or {}
    new = event.new or {}
    out = []
    for name in list(dict.fromkeys([*old.keys(), *new.keys()])):
        try:
            field = model._meta.get_field(name)
            label = str(field.verbose_name)
        except FieldDoesNotExist:  # a field removed since the row was written
            field, label = None, name
        out.append(
            FieldChange(name, label, display_value(field, old.get(name)), display_value(field, new.get(name)))
        )
    return out
