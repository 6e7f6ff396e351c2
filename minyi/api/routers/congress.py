"""The congress (tenant): who I am here, the roster, the unit tree and the policy.

Reads use `minyi.congress.selectors` and the same permissions as the pages (a page the user may not
open is a 404 here too); the policy is changed with `do_update_policy`, as on the policy page.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Literal

import rules
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from minyi.accounts.models import Role
from minyi.congress import selectors
from minyi.congress.actions import do_update_policy, ensure_policy
from minyi.congress.models import TAXONOMIES, Congress, Deputy, Policy, PolicyItem, Unit
from minyi.core.tenancy import memberships_of

from ..common import READ_ERRORS, WRITE_ERRORS, IdFilter, PageQuery, Ref, congress_of, label, page_of, ref

if TYPE_CHECKING:
    from minyi.congress.selectors import RosterDeputy


router = Router(tags=["congress"])

#: The congress permissions a client may want to know (the same names the pages use).
PERMISSIONS = [
    "view_roster",
    "manage_roster",
    "import_roster",
    "view_policy",
    "manage_policy",
    "manage_members",
    "view_contacts",
]


def _require(request: HttpRequest, perm: str, congress: Congress) -> None:
    """Like `congress_view(perm)`: a member without the permission gets 404, as on the pages."""
    if not rules.has_perm(perm, request.user, congress):
        raise Http404("not permitted")


# --- the congress and my roles ---------------------------------------------------------------------


class RoleOut(Schema):
    role: str
    role_label: str
    unit: Ref | None
    station: Ref | None


class CongressOut(Schema):
    code: str
    name: str
    short_name: str
    level: str
    level_label: str
    parent: str | None = Field(description="Code of the parent congress, if any.")
    roles: list[RoleOut] = Field(description="The signed-in user's roles in this congress.")
    permissions: dict[str, bool] = Field(description="Congress-level permissions of the signed-in user.")


@router.get(
    "{code}",
    response={200: CongressOut, **READ_ERRORS},
    summary="人大信息与我的角色 · Congress and my roles",
)
def congress_detail(request, code: str):
    """The congress (404 unless the signed-in user is a member) with the user's roles and what they
    may do at congress level."""
    congress = congress_of(request, code)
    return {
        "code": congress.code,
        "name": congress.name,
        "short_name": congress.short_name,
        "level": congress.level,
        "level_label": congress.get_level_display(),
        "parent": congress.parent.code if congress.parent is not None else None,
        "roles": [
            {
                "role": m.role,
                "role_label": label(Role, m.role),
                "unit": ref(m.unit),
                "station": ref(m.station),
            }
            for m in memberships_of(request.user, congress)
        ],
        "permissions": {p: rules.has_perm(f"congress.{p}", request.user, congress) for p in PERMISSIONS},
    }


# --- deputies --------------------------------------------------------------------------------------


class DeputyFilters(Schema):
    q: str | None = Field(None, description="Part of the name, deputy number or electoral district.")
    group: int | None = IdFilter("Deputy group id.")
    in_office: Literal["yes", "no"] | None = Field(None, description="In office today (yes) or not (no).")
    level: Literal[tuple(Deputy.Level.values)] | None = None  # type: ignore[valid-type]


class DeputyOut(Schema):
    id: int
    name: str
    number: str
    level: str
    level_label: str
    group: Ref | None
    electoral_district: str
    organisation: str
    in_office_from: datetime.date
    in_office_to: datetime.date | None
    in_office: bool
    has_account: bool
    phone: str | None = Field(description="Only for congress staff (congress.view_contacts) and the deputy.")
    email: str | None = Field(description="Only for congress staff (congress.view_contacts) and the deputy.")

    @staticmethod
    def resolve_level_label(obj: Deputy) -> str:
        return obj.get_level_display()

    @staticmethod
    def resolve_group(obj: Deputy) -> dict[str, Any] | None:
        return ref(obj.group)

    @staticmethod
    def resolve_in_office(obj: RosterDeputy) -> bool:
        return bool(obj.is_current)

    @staticmethod
    def resolve_has_account(obj: Deputy) -> bool:
        return obj.user_id is not None

    @staticmethod
    def resolve_phone(obj: Deputy, context: dict[str, Any]) -> str | None:
        return obj.phone if _shows_contact(context["request"], obj) else None

    @staticmethod
    def resolve_email(obj: Deputy, context: dict[str, Any]) -> str | None:
        return obj.email if _shows_contact(context["request"], obj) else None


def _shows_contact(request: HttpRequest, deputy: Deputy) -> bool:
    """The deputy detail page's rule: congress.view_contacts, or the deputy's own record."""
    own = deputy.user_id is not None and deputy.user_id == request.user.pk
    return own or bool(getattr(request, "minyi_view_contacts", False))


class DeputyPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[DeputyOut]


@router.get(
    "{code}/deputies",
    response={200: DeputyPage, **READ_ERRORS},
    summary="代表名册 · Deputies (paginated)",
)
def deputies(request, code: str, filters: Query[DeputyFilters], paging: Query[PageQuery]):
    """Deputies of the congress, by deputy number. Phone and e-mail are null unless the user may see
    contacts (congress staff) or the row is their own."""
    congress = congress_of(request, code)
    _require(request, "congress.view_roster", congress)
    request.minyi_view_contacts = rules.has_perm("congress.view_contacts", request.user, congress)
    return page_of(selectors.deputies_for(congress, filters.dict(exclude_none=True)), paging)


# --- units -----------------------------------------------------------------------------------------


class UnitNodeOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    body_code: str
    active: bool
    order: int
    children: list[UnitNodeOut]


UnitNodeOut.model_rebuild()


@router.get(
    "{code}/units",
    response={200: list[UnitNodeOut], **READ_ERRORS},
    summary="承办单位树 · Handling units (tree)",
)
def units(request, code: str, include_inactive: bool = True):
    """The unit tree: the four bodies (一府一委两院) first, each with its subtree (siblings by order,
    then name). One query."""
    congress = congress_of(request, code)
    _require(request, "congress.view_roster", congress)
    roots: list[dict[str, Any]] = []
    path: list[dict[str, Any]] = []  # the open nodes, by depth
    for node in selectors.units_tree(congress, include_inactive=include_inactive):
        unit: Unit = node.unit
        item = {
            "id": unit.pk,
            "name": unit.name,
            "short_name": unit.short_name,
            "kind": unit.kind,
            "kind_label": unit.get_kind_display(),
            "body_code": unit.body_code,
            "active": unit.active,
            "order": unit.order,
            "children": [],
        }
        del path[node.depth :]
        (path[-1]["children"] if path else roots).append(item)
        path.append(item)
    return roots


# --- policy ----------------------------------------------------------------------------------------


if TYPE_CHECKING:
    # A Literal built from the choices at run time is not a type to mypy: it checks the field as the
    # str it is, while pydantic (below) gets the Literal and refuses any other value.
    CompletionDefinition = str
else:
    CompletionDefinition = Literal[tuple(Policy.CompletionDefinition.values)]


class PolicyOut(Schema):
    review_days: int
    assign_days: int
    reassign_window_days: int
    first_contact_days: int
    co_opinion_days: int
    reply_months: int
    reply_statutory_months: int
    reply_max_months: int
    evaluation_days: int
    rehandle_months: int
    warning_days: int
    escalation_grace_days: int
    numbering_format: str
    contact_required: bool
    opinion_required_if_unsatisfied: bool
    no_feedback_excluded: bool
    completion_definition: CompletionDefinition
    quiet_hours_start: datetime.time
    quiet_hours_end: datetime.time


class PolicyPatch(Schema):
    """Only the fields sent are changed; null is refused (422)."""

    review_days: int | None = None
    assign_days: int | None = None
    reassign_window_days: int | None = None
    first_contact_days: int | None = None
    co_opinion_days: int | None = None
    reply_months: int | None = None
    reply_statutory_months: int | None = None
    reply_max_months: int | None = None
    evaluation_days: int | None = None
    rehandle_months: int | None = None
    warning_days: int | None = None
    escalation_grace_days: int | None = None
    numbering_format: str | None = None
    contact_required: bool | None = None
    opinion_required_if_unsatisfied: bool | None = None
    no_feedback_excluded: bool | None = None
    completion_definition: CompletionDefinition | None = None
    quiet_hours_start: datetime.time | None = None
    quiet_hours_end: datetime.time | None = None

    model_config = {"extra": "forbid"}

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any) -> Any:
        # Runs only on values that were sent: a field left out keeps its value, an explicit null is
        # a mistake (every policy field needs a value).
        if value is None:
            raise ValueError("null is not allowed; leave the field out to keep its value")
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class TaxonomyItemOut(Schema):
    id: int
    name: str
    order: int
    active: bool
    grassroots: bool | None = Field(None, description="Channels only.")
    code: str | None = Field(None, description="Result classes only.")
    description: str | None = Field(None, description="Result classes only.")
    counts_as_resolved: bool | None = Field(None, description="Result classes only.")
    requires_commitments: bool | None = Field(None, description="Result classes only.")


class TaxonomiesOut(Schema):
    categories: list[TaxonomyItemOut]
    themes: list[TaxonomyItemOut]
    channels: list[TaxonomyItemOut]
    results: list[TaxonomyItemOut]
    exclusions: list[TaxonomyItemOut]


class PolicyWithTaxonomiesOut(Schema):
    policy: PolicyOut
    taxonomies: TaxonomiesOut


def _item(obj: PolicyItem) -> dict[str, Any]:
    data = {"id": obj.pk, "name": obj.name, "order": obj.order, "active": obj.active}
    for extra in ("grassroots", "code", "description", "counts_as_resolved", "requires_commitments"):
        if hasattr(obj, extra):
            data[extra] = getattr(obj, extra)
    return data


def _policy(request: HttpRequest, congress: Congress) -> Policy:
    """The congress's policy; created with the defaults for those who may manage it (as the policy
    page does), else the defaults unsaved when the row does not exist yet."""
    if rules.has_perm("congress.manage_policy", request.user, congress):
        return ensure_policy(congress)
    return Policy.objects.filter(congress=congress).first() or Policy(congress=congress)


@router.get(
    "{code}/policy",
    response={200: PolicyWithTaxonomiesOut, **READ_ERRORS},
    summary="办理规则与分类 · Policy and taxonomies",
)
def policy(request, code: str):
    """The congress's time limits and rules, and its taxonomies (categories, theme tags, channels,
    result classes, exclusion reasons), inactive items included."""
    congress = congress_of(request, code)
    _require(request, "congress.view_policy", congress)
    current = _policy(request, congress)
    return {
        "policy": {name: getattr(current, name) for name in Policy.EDITABLE},
        "taxonomies": {
            kind: [_item(obj) for obj in selectors.taxonomy_items(congress, kind)] for kind in TAXONOMIES
        },
    }


@router.patch(
    "{code}/policy",
    response={200: PolicyOut, **WRITE_ERRORS},
    summary="修改办理规则 · Change the policy (congress admin)",
)
def update_policy(request, code: str, payload: PolicyPatch):
    """`do_update_policy`: change the fields sent. Congress admins only (403 ``not_permitted``);
    inconsistent values are refused with 422 ``validation_failed`` and ``fields``."""
    congress = congress_of(request, code)
    updated = do_update_policy(_policy(request, congress), actor=request.user, changes=payload.changes())
    return {name: getattr(updated, name) for name in Policy.EDITABLE}
