"""Every change to congress-level records goes through a `do_*` action here: it checks the actor's
permission on the congress, checks that every referenced row belongs to the same congress, validates,
saves, and writes its audit row in the same transaction.

Record-type actions take the fields as a dict (`fields` on create, `changes` on update) limited to the
names in the matching `*_FIELDS` list; foreign keys are passed as model instances (or None). Bad input
raises `FieldErrors` (a `ValidationFailed` that also says which field is wrong, so a page can show the
message next to the field); a reference to another congress's row raises `ValidationFailed` with
code ``wrong_congress``; a missing permission raises `NotPermitted`.
"""

from __future__ import annotations

import re
import string
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from minyi import audit
from minyi.accounts.models import STATION_ROLES, UNIT_ROLES, Membership, Role, User
from minyi.core.errors import FieldErrors, InvalidTransition, NotPermitted, ValidationFailed
from minyi.core.kit import authorize, same_congress

from .models import (
    TAXONOMIES,
    Channel,
    Congress,
    Deputy,
    DeputyGroup,
    LiaisonStation,
    Policy,
    PolicyItem,
    ResultClass,
    Session,
    Term,
    Unit,
)

DEPUTY_FIELDS = [
    "name",
    "number",
    "level",
    "group",
    "electoral_district",
    "organisation",
    "phone",
    "email",
    "in_office_from",
    "in_office_to",
    "user",
]
GROUP_FIELDS = ["name", "convener"]
STATION_FIELDS = ["name", "kind", "address", "group", "active"]
UNIT_FIELDS = ["name", "short_name", "kind", "body_code", "parent", "order", "active", "duties"]
TERM_FIELDS = ["number", "start_date", "end_date"]
SESSION_FIELDS = ["number", "start_date", "end_date"]
TAXONOMY_BASE_FIELDS = ["name", "order", "active"]
TAXONOMY_EXTRA_FIELDS: dict[type[PolicyItem], list[str]] = {
    Channel: ["grassroots"],
    ResultClass: ["code", "description", "counts_as_resolved", "requires_commitments"],
}
NUMBERING_PLACEHOLDERS = {"short", "year", "seq"}

M = TypeVar("M", bound=models.Model)


def taxonomy_fields(model: type[PolicyItem]) -> list[str]:
    return TAXONOMY_BASE_FIELDS + TAXONOMY_EXTRA_FIELDS.get(model, [])


# --- helpers ---------------------------------------------------------------------------------------


def _check_known(values: Mapping[str, Any], allowed: list[str]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationFailed(
            _("未知的字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, code="unknown_field"
        )


def _full_clean(obj: models.Model, **kwargs: Any) -> None:
    try:
        obj.full_clean(**kwargs)
    except DjangoValidationError as exc:
        raise FieldErrors(exc.message_dict) from exc


def _value_of(obj: models.Model, name: str) -> Any:
    field = obj._meta.get_field(name)
    return getattr(obj, field.attname)  # type: ignore[union-attr]


def _incoming(obj: models.Model, name: str, value: Any) -> Any:
    field = obj._meta.get_field(name)
    if field.is_relation:
        return value.pk if value is not None else None
    return value


def _changed(obj: models.Model, changes: Mapping[str, Any]) -> list[str]:
    return [name for name, value in changes.items() if _value_of(obj, name) != _incoming(obj, name, value)]


def _apply(obj: models.Model, changes: Mapping[str, Any], names: list[str]) -> None:
    for name in names:
        setattr(obj, name, changes[name])


def _taken(queryset: models.QuerySet[M], obj: models.Model) -> M | None:
    """The first row of `queryset` other than `obj` itself."""
    if obj.pk:
        queryset = queryset.exclude(pk=obj.pk)
    return queryset.first()


def _no_extras(obj: models.Model) -> dict[str, Any]:
    return {}


def _save_unique(obj: models.Model, recheck: Callable[[], None], **kwargs: Any) -> None:
    """Save `obj`; if a unique constraint refuses it because somebody else has just saved the same
    name or number (PostgreSQL lets two transactions pass the duplicate check before either
    commits), run the duplicate check again — it now sees the other row and raises its own message —
    or refuse with a general duplicate error. SQLite's IMMEDIATE transactions never get here."""
    try:
        with transaction.atomic():
            obj.save(**kwargs)
    except IntegrityError:
        recheck()
        raise ValidationFailed(
            _("同样的记录刚刚已由他人保存，请刷新页面后再试。"), code="duplicate"
        ) from None


def _create(
    model: type[M],
    congress: Congress,
    fields: Mapping[str, Any],
    allowed: list[str],
    check: Callable[[Congress, M], None],
    code: str,
    *,
    actor: Any,
    owner: Mapping[str, Any] | None = None,
    also: Callable[[M], dict[str, Any]] = _no_extras,
) -> M:
    """What every record create does once its action has checked the permission: refuse fields not
    in `allowed`, build the row in `congress` (or under `owner`, e.g. ``{"term": term}``), let
    `check(congress, row)` refuse bad input, save, and write the audit row `code` with the new values
    of all `allowed` fields (`also` adds audit arguments taken from the saved row)."""
    _check_known(fields, allowed)
    obj = model(**(owner or {"congress": congress}), **fields)
    check(congress, obj)
    _save_unique(obj, lambda: check(congress, obj))
    audit.record(code, actor=actor, congress=congress, obj=obj, new=audit.snapshot(obj, allowed), **also(obj))
    return obj


def _update(
    obj: M,
    congress: Congress,
    changes: Mapping[str, Any],
    allowed: list[str],
    check: Callable[[Congress, M], None],
    code: str,
    *,
    actor: Any,
    also: Callable[[M], dict[str, Any]] = _no_extras,
    correlation_id: uuid.UUID | None = None,
) -> M:
    """What every record update does once its action has checked the permission: refuse fields not
    in `allowed`, lock the row, and unless nothing really changes: apply the changes, let
    `check(congress, row)` refuse bad input, save, and write the audit row `code` with the old and new
    values of the fields that changed (`also` adds audit arguments taken from the saved row)."""
    _check_known(changes, allowed)
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)  # type: ignore[attr-defined]
    changed = _changed(obj, changes)
    if not changed:
        return obj
    old = audit.snapshot(obj, changed)
    _apply(obj, changes, changed)
    check(congress, obj)
    _save_unique(obj, lambda: check(congress, obj))
    audit.record(
        code,
        actor=actor,
        congress=congress,
        obj=obj,
        old=old,
        new=audit.snapshot(obj, changed),
        correlation_id=correlation_id,
        **also(obj),
    )
    return obj


# --- policy ----------------------------------------------------------------------------------------


def ensure_policy(congress: Congress) -> Policy:
    """The congress's policy row, created with the defaults of DOMAIN.md §4 if missing."""
    policy, _created = Policy.objects.get_or_create(congress=congress)
    return policy


def numbering_format_errors(fmt: str) -> list[str]:
    """Why a suggestion numbering format is unusable (empty list if it is fine)."""
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(fmt) if name is not None}
    except ValueError:
        return [_("编号格式中的花括号不成对。占位符须写成 {short}、{year}、{seq}。")]
    errors = []
    unknown = names - NUMBERING_PLACEHOLDERS
    if unknown:
        errors.append(
            _("编号格式中有未知的占位符：%(p)s。只能使用 {short}、{year}、{seq}。")
            % {"p": "、".join("{" + n + "}" for n in sorted(unknown))}
        )
    if "seq" not in names:
        errors.append(_("编号格式必须包含年度序号 {seq}，否则编号会重复。"))
    if not errors:
        try:
            fmt.format(short="示范", year=2026, seq=1)
        except (ValueError, IndexError, KeyError):
            errors.append(_("编号格式无法使用，请检查占位符的写法。"))
    return errors


def policy_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Rules across several policy fields, with messages a congress admin understands."""
    errors: dict[str, list[str]] = {}
    reply, statutory, most = (
        values.get(n) for n in ("reply_months", "reply_statutory_months", "reply_max_months")
    )
    if reply is not None and statutory is not None and reply > statutory:
        errors.setdefault("reply_months", []).append(
            _("答复时限（本地目标 %(a)s 个月）不能超过法定答复时限（%(b)s 个月）。")
            % {"a": reply, "b": statutory}
        )
    if statutory is not None and most is not None and statutory > most:
        errors.setdefault("reply_max_months", []).append(
            _("延期后最长答复时限（%(b)s 个月）不能短于法定答复时限（%(a)s 个月）。")
            % {"a": statutory, "b": most}
        )
    fmt = values.get("numbering_format")
    if fmt is not None:
        fmt_errors = numbering_format_errors(fmt)
        if fmt_errors:
            errors["numbering_format"] = fmt_errors
    start, end = values.get("quiet_hours_start"), values.get("quiet_hours_end")
    if start is not None and end is not None and start == end:
        errors.setdefault("quiet_hours_end", []).append(_("免打扰的开始和结束时间不能相同。"))
    return errors


@transaction.atomic
def do_update_policy(policy: Policy, *, actor: Any, changes: dict[str, Any]) -> Policy:
    """Change policy fields; records the old and new value of every field that changed."""
    authorize(actor, "congress.manage_policy", policy.congress, system=True)
    unknown = set(changes) - set(Policy.EDITABLE)
    if unknown:
        raise ValidationFailed(_("未知的规则项：%(f)s") % {"f": ", ".join(sorted(unknown))})
    policy = Policy.objects.select_for_update(of=("self",)).select_related("congress").get(pk=policy.pk)
    changed = [name for name, value in changes.items() if getattr(policy, name) != value]
    if not changed:
        return policy
    old = audit.snapshot(policy, changed)
    for name in changed:
        setattr(policy, name, changes[name])
    errors = policy_errors({name: getattr(policy, name) for name in Policy.EDITABLE})
    if errors:
        raise FieldErrors(errors)
    _full_clean(policy)
    policy.save()
    audit.record(
        "policy.updated",
        actor=actor,
        congress=policy.congress,
        obj=policy,
        old=old,
        new=audit.snapshot(policy, changed),
    )
    return policy


# --- deputies and groups ---------------------------------------------------------------------------


def _check_deputy(congress: Congress, deputy: Deputy) -> None:
    same_congress(congress, deputy.group, _("代表小组"))
    errors: dict[str, list[str]] = {}
    if deputy.user_id is not None:
        if not Membership.objects.filter(user_id=deputy.user_id, congress=congress, active=True).exists():
            raise ValidationFailed(_("所选账号不是本人大的成员。"), code="wrong_congress")
        other = _taken(Deputy.objects.filter(congress=congress, user_id=deputy.user_id), deputy)
        if other:
            errors["user"] = [_("该账号已关联代表 %(d)s。") % {"d": other}]
    if deputy.number:
        other = _taken(Deputy.objects.filter(congress=congress, number=deputy.number), deputy)
        if other:
            errors["number"] = [_("代表证号 %(n)s 已被 %(d)s 使用。") % {"n": deputy.number, "d": other.name}]
    if deputy.in_office_to and deputy.in_office_from and deputy.in_office_to < deputy.in_office_from:
        errors["in_office_to"] = [_("任职终止日期不能早于任职起始日期。")]
    if errors:
        raise FieldErrors(errors)
    _full_clean(deputy)


def _deputy_user(deputy: Deputy) -> dict[str, Any]:
    return {"target_user": deputy.user}


@transaction.atomic
def do_create_deputy(congress: Congress, *, actor: Any, fields: Mapping[str, Any]) -> Deputy:
    authorize(actor, "congress.manage_roster", congress, system=True)
    return _create(
        Deputy,
        congress,
        fields,
        DEPUTY_FIELDS,
        _check_deputy,
        "deputy.created",
        actor=actor,
        also=_deputy_user,
    )


@transaction.atomic
def do_update_deputy(
    deputy: Deputy, *, actor: Any, changes: Mapping[str, Any], correlation_id: uuid.UUID | None = None
) -> Deputy:
    congress = deputy.congress
    authorize(actor, "congress.manage_roster", congress, system=True)
    return _update(
        deputy,
        congress,
        changes,
        DEPUTY_FIELDS,
        _check_deputy,
        "deputy.updated",
        actor=actor,
        also=_deputy_user,
        correlation_id=correlation_id,
    )


def _check_group(congress: Congress, group: DeputyGroup) -> None:
    if group.name and _taken(DeputyGroup.objects.filter(congress=congress, name=group.name), group):
        raise FieldErrors({"name": [_("已有名为“%(n)s”的代表小组。") % {"n": group.name}]})
    _full_clean(group)


@transaction.atomic
def do_create_group(congress: Congress, *, actor: Any, fields: Mapping[str, Any]) -> DeputyGroup:
    authorize(actor, "congress.manage_roster", congress, system=True)
    return _create(DeputyGroup, congress, fields, GROUP_FIELDS, _check_group, "group.created", actor=actor)


@transaction.atomic
def do_update_group(group: DeputyGroup, *, actor: Any, changes: Mapping[str, Any]) -> DeputyGroup:
    congress = group.congress
    authorize(actor, "congress.manage_roster", congress, system=True)
    return _update(group, congress, changes, GROUP_FIELDS, _check_group, "group.updated", actor=actor)


# --- liaison stations ------------------------------------------------------------------------------


def _check_station(congress: Congress, station: LiaisonStation) -> None:
    same_congress(congress, station.group, _("代表小组"))
    if station.name and _taken(LiaisonStation.objects.filter(congress=congress, name=station.name), station):
        raise FieldErrors({"name": [_("已有名为“%(n)s”的联络站。") % {"n": station.name}]})
    _full_clean(station)


@transaction.atomic
def do_create_station(congress: Congress, *, actor: Any, fields: Mapping[str, Any]) -> LiaisonStation:
    authorize(actor, "congress.manage_roster", congress, system=True)
    return _create(
        LiaisonStation, congress, fields, STATION_FIELDS, _check_station, "station.created", actor=actor
    )


@transaction.atomic
def do_update_station(station: LiaisonStation, *, actor: Any, changes: Mapping[str, Any]) -> LiaisonStation:
    congress = station.congress
    authorize(actor, "congress.manage_roster", congress, system=True)
    return _update(station, congress, changes, STATION_FIELDS, _check_station, "station.updated", actor=actor)


# --- units -----------------------------------------------------------------------------------------


def unit_shape_errors(kind: str, parent: Unit | None, body_code: str) -> dict[str, list[str]]:
    """Bodies (一府一委两院) are the roots of the unit tree and say which body they are; every other
    unit hangs below a parent."""
    errors: dict[str, list[str]] = {}
    if kind == Unit.Kind.BODY:
        if parent is not None:
            errors["parent"] = [_("机关（一府一委两院）是单位树的最上层，不能有上级单位。")]
        if not body_code:
            errors["body_code"] = [_("请选择机关类别：人民政府、监察委员会、人民法院或人民检察院。")]
    else:
        if parent is None:
            errors["parent"] = [_("请选择上级单位：部门、镇（街道）等须挂在某个机关或单位之下。")]
        if body_code:
            errors["body_code"] = [_("只有类型为“机关”的单位才填写机关类别。")]
    return errors


def _check_unit(congress: Congress, unit: Unit, units: dict[int, Unit] | None = None) -> None:
    parent = unit.parent if unit.parent_id else None
    same_congress(congress, parent, _("上级单位"))
    errors = unit_shape_errors(unit.kind, parent, unit.body_code)
    if parent is not None and unit.pk:
        units = units if units is not None else {u.pk: u for u in Unit.objects.filter(congress=congress)}
        seen: set[int] = set()
        node_id: int | None = parent.pk
        while node_id is not None and node_id not in seen:
            if node_id == unit.pk:
                errors.setdefault("parent", []).append(_("不能把单位挂到它自己或它的下级单位之下。"))
                break
            seen.add(node_id)
            node_id = units[node_id].parent_id if node_id in units else None
    if parent is not None and unit.active and not _is_active(parent, units):
        errors.setdefault("parent", []).append(
            _("上级单位“%(p)s”已停用，请先启用它或另选上级单位。") % {"p": parent}
        )
    if unit.name and _taken(Unit.objects.filter(congress=congress, name=unit.name), unit):
        errors.setdefault("name", []).append(_("已有名为“%(n)s”的单位。") % {"n": unit.name})
    if unit.kind == Unit.Kind.BODY and unit.body_code:
        other = _taken(
            Unit.objects.filter(congress=congress, kind=Unit.Kind.BODY, body_code=unit.body_code), unit
        )
        if other:
            errors.setdefault("body_code", []).append(_("本人大已有该机关：%(u)s。") % {"u": other})
    if errors:
        raise FieldErrors(errors)
    _full_clean(unit, exclude=["body"])


def _is_active(unit: Unit, units: dict[int, Unit] | None) -> bool:
    """From the database, not from a possibly stale instance passed in."""
    if units is not None and unit.pk in units:
        return units[unit.pk].active
    return Unit.objects.filter(pk=unit.pk, active=True).exists()


def _descendants(unit_id: int, units: dict[int, Unit]) -> list[Unit]:
    children: dict[int, list[Unit]] = {}
    for u in units.values():
        if u.parent_id is not None:
            children.setdefault(u.parent_id, []).append(u)
    out: list[Unit] = []
    stack = list(children.get(unit_id, []))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(children.get(node.pk, []))
    return out


@transaction.atomic
def do_create_unit(congress: Congress, *, actor: Any, fields: Mapping[str, Any]) -> Unit:
    authorize(actor, "congress.manage_roster", congress, system=True)
    return _create(
        Unit,
        congress,
        fields,
        UNIT_FIELDS,
        _check_unit,
        "unit.created",
        actor=actor,
        also=lambda unit: {"unit": unit},
    )


@transaction.atomic
def do_update_unit(unit: Unit, *, actor: Any, changes: Mapping[str, Any]) -> Unit:
    """Change a unit. Moving it moves its whole subtree (their `body` follows); deactivating a unit
    that still has active units below it is refused, as is a parent below the unit itself."""
    congress = unit.congress
    authorize(actor, "congress.manage_roster", congress, system=True)
    _check_known(changes, UNIT_FIELDS)
    units = {u.pk: u for u in Unit.objects.select_for_update().filter(congress=congress)}
    unit = units[unit.pk]
    changed = _changed(unit, changes)
    if not changed:
        return unit
    old = audit.snapshot(unit, changed)
    _apply(unit, changes, changed)
    if "active" in changed and not unit.active:
        active_children = [u.name for u in units.values() if u.parent_id == unit.pk and u.active]
        if active_children:
            raise FieldErrors(
                {"active": [_("请先停用其下级单位：%(c)s。") % {"c": "、".join(sorted(active_children))}]},
                code="has_active_children",
            )
    _check_unit(congress, unit, units)
    _save_unique(unit, lambda: _check_unit(congress, unit))
    if "parent" in changed or "kind" in changed:
        below = _descendants(unit.pk, units)
        if below:
            Unit.objects.filter(pk__in=[u.pk for u in below]).update(body=unit.body_id)
    audit.record(
        "unit.updated",
        actor=actor,
        congress=congress,
        obj=unit,
        unit=unit,
        old=old,
        new=audit.snapshot(unit, changed),
    )
    return unit


# --- terms and sessions ----------------------------------------------------------------------------


def _check_term(congress: Congress, term: Term) -> None:
    errors: dict[str, list[str]] = {}
    if term.number and _taken(Term.objects.filter(congress=congress, number=term.number), term):
        errors["number"] = [_("第%(n)s届已经存在。") % {"n": term.number}]
    if term.end_date and term.start_date and term.end_date < term.start_date:
        errors["end_date"] = [_("届满日期不能早于起始日期。")]
    if errors:
        raise FieldErrors(errors)
    _full_clean(term)


def _check_session(term: Term, session: Session) -> None:
    errors: dict[str, list[str]] = {}
    if session.number and _taken(Session.objects.filter(term=term, number=session.number), session):
        errors["number"] = [_("%(t)s第%(n)s次会议已经存在。") % {"t": term, "n": session.number}]
    if session.start_date and session.end_date and session.end_date < session.start_date:
        errors["end_date"] = [_("闭幕日期不能早于开幕日期。")]
    if session.start_date and session.start_date < term.start_date:
        errors.setdefault("start_date", []).append(
            _("开幕日期不能早于本届起始日期（%(d)s）。") % {"d": term.start_date.isoformat()}
        )
    if session.end_date and term.end_date and session.end_date > term.end_date:
        errors.setdefault("end_date", []).append(
            _("闭幕日期不能晚于本届届满日期（%(d)s）。") % {"d": term.end_date.isoformat()}
        )
    if errors:
        raise FieldErrors(errors)
    _full_clean(session)


def _session_check(term: Term) -> Callable[[Congress, Session], None]:
    """A session is checked against its term (passed in, not read again from the locked row)."""
    return lambda _congress, session: _check_session(term, session)


def _check_changed_term(congress: Congress, term: Term) -> None:
    """The rules of `_check_term`, and new dates must still hold all the term's sessions."""
    _check_term(congress, term)
    outside = [
        s
        for s in term.sessions.all()
        if s.start_date < term.start_date or (term.end_date and s.end_date > term.end_date)
    ]
    if outside:
        raise FieldErrors(
            {
                "__all__": [
                    _("以下会议会落在本届日期之外：%(s)s。") % {"s": "、".join(str(s) for s in outside)}
                ]
            }
        )


@transaction.atomic
def do_create_term(congress: Congress, *, actor: Any, fields: Mapping[str, Any]) -> Term:
    authorize(actor, "congress.manage_roster", congress, system=True)
    return _create(Term, congress, fields, TERM_FIELDS, _check_term, "term.created", actor=actor)


@transaction.atomic
def do_update_term(term: Term, *, actor: Any, changes: Mapping[str, Any]) -> Term:
    """Change a term; new dates that would leave one of its sessions outside the term are refused."""
    congress = term.congress
    authorize(actor, "congress.manage_roster", congress, system=True)
    return _update(term, congress, changes, TERM_FIELDS, _check_changed_term, "term.updated", actor=actor)


@transaction.atomic
def do_create_session(term: Term, *, actor: Any, fields: Mapping[str, Any]) -> Session:
    congress = term.congress
    authorize(actor, "congress.manage_roster", congress, system=True)
    return _create(
        Session,
        congress,
        fields,
        SESSION_FIELDS,
        _session_check(term),
        "session.created",
        actor=actor,
        owner={"term": term},
    )


@transaction.atomic
def do_update_session(session: Session, *, actor: Any, changes: Mapping[str, Any]) -> Session:
    term = session.term
    congress = term.congress
    authorize(actor, "congress.manage_roster", congress, system=True)
    return _update(
        session, congress, changes, SESSION_FIELDS, _session_check(term), "session.updated", actor=actor
    )


# --- taxonomies ------------------------------------------------------------------------------------


def taxonomy_model(kind: str) -> type[PolicyItem]:
    try:
        return TAXONOMIES[kind]
    except KeyError:
        raise ValidationFailed(_("未知的分类表：%(k)s") % {"k": kind}, code="unknown_taxonomy") from None


def _check_item(congress: Congress, item: PolicyItem) -> None:
    model = type(item)
    if isinstance(item, ResultClass):
        if item.code and _taken(ResultClass.objects.filter(congress=congress, code=item.code), item):
            raise FieldErrors({"code": [_("代码“%(c)s”已被使用。") % {"c": item.code}]})
    elif item.name and _taken(model._default_manager.filter(congress=congress, name=item.name), item):
        raise FieldErrors({"name": [_("已有名为“%(n)s”的条目。") % {"n": item.name}]})
    _full_clean(item)


@transaction.atomic
def do_add_taxonomy_item(
    congress: Congress, *, actor: Any, kind: str, fields: Mapping[str, Any]
) -> PolicyItem:
    """Add an item at the end of one of the congress's taxonomies (`kind` is a key of TAXONOMIES)."""
    authorize(actor, "congress.manage_policy", congress, system=True)
    return _add_taxonomy_item(congress, actor=actor, kind=kind, fields=fields)


def _add_taxonomy_item(congress: Congress, *, actor: Any, kind: str, fields: Mapping[str, Any]) -> PolicyItem:
    """`do_add_taxonomy_item` once the permission is settled (also by `do_create_congress`, whose
    platform admin holds no role in the new congress, decision 0009)."""
    model = taxonomy_model(kind)
    names = taxonomy_fields(model)
    _check_known(fields, names)
    if "order" not in fields:
        last = model._default_manager.filter(congress=congress).aggregate(m=models.Max("order"))["m"]
        fields = {**fields, "order": (last or 0) + 10}
    return _create(
        model,
        congress,
        fields,
        names,
        _check_item,
        "taxonomy.item_added",
        actor=actor,
        also=lambda item: {"note": kind},
    )


@transaction.atomic
def do_update_taxonomy_item(item: PolicyItem, *, actor: Any, changes: Mapping[str, Any]) -> PolicyItem:
    """Change an item (including `active`: items are deactivated, never deleted, so old suggestions
    keep their category)."""
    congress = item.congress
    authorize(actor, "congress.manage_policy", congress, system=True)
    return _update(
        item,
        congress,
        changes,
        taxonomy_fields(type(item)),
        _check_item,
        "taxonomy.item_updated",
        actor=actor,
    )


@transaction.atomic
def do_move_taxonomy_item(item: PolicyItem, *, actor: Any, direction: str) -> PolicyItem:
    """Move an item one place up or down its list; the list is renumbered 10, 20, 30…"""
    congress = item.congress
    authorize(actor, "congress.manage_policy", congress, system=True)
    if direction not in ("up", "down"):
        raise ValidationFailed(_("移动方向只能是上移或下移。"), code="bad_direction")
    model = type(item)
    rows = list(model._default_manager.select_for_update().filter(congress=congress).order_by("order", "id"))
    ids = [r.pk for r in rows]
    index = ids.index(item.pk)
    target = index - 1 if direction == "up" else index + 1
    if target < 0 or target >= len(rows):
        raise InvalidTransition(
            _("已经在最前面了。") if direction == "up" else _("已经在最后面了。"), code="cannot_move"
        )
    old_ids = list(ids)
    rows[index], rows[target] = rows[target], rows[index]
    for position, row in enumerate(rows, start=1):
        if row.order != position * 10:
            row.order = position * 10
            row.save(update_fields=["order"])
    moved = rows[target]
    audit.record(
        "taxonomy.item_moved",
        actor=actor,
        congress=congress,
        obj=moved,
        old={"sequence": old_ids},
        new={"sequence": [r.pk for r in rows]},
        note=direction,
    )
    return moved


# --- members: accounts and roles -------------------------------------------------------------------


def account_not_found(username: str) -> str:
    """The one refusal for a username this congress may not use: the same words whether the account
    does not exist or belongs to another congress, so an admin cannot learn which usernames exist
    elsewhere (issue #10)."""
    return _("在本人大找不到用户名为“%(u)s”的账号。如需新建，请选择“新建账号”。") % {"u": username}


def may_attach(actor: Any, user: User, congress: Congress) -> bool:
    """May `actor` give `user` a role in `congress`? Yes for the system and platform admins, for an
    account of this congress (`User.home_congress`) and for one already holding a role here (it
    was attached by someone allowed to). Another congress's account — or an unclaimed one — no."""
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    if user.home_congress_id == congress.pk:
        return True
    return Membership.objects.filter(user=user, congress=congress).exists()


def find_account(congress: Congress, username: str, *, actor: Any) -> User | None:
    """The account `username` if `actor` may give it a role in `congress`, else None (for a
    missing and another congress's account alike)."""
    user = User.objects.filter(username=(username or "").strip()).first()
    if user is None or not may_attach(actor, user, congress):
        return None
    return user


def _check_username(username: str) -> None:
    if username and User.objects.filter(username__iexact=username).exists():
        raise FieldErrors(
            {"username": [_("用户名“%(u)s”已被使用，请换一个，或选择“已有账号”。") % {"u": username}]}
        )


@transaction.atomic
def do_create_user(
    congress: Congress,
    *,
    actor: Any,
    username: str,
    full_name: str,
    password: str,
    phone: str = "",
    correlation_id: uuid.UUID | None = None,
) -> User:
    """Open an account for someone who is about to get a role in `congress` (the role is granted
    with `do_grant_role`, usually in the same transaction)."""
    authorize(actor, "congress.manage_members", congress, system=True)
    username = (username or "").strip()
    _check_username(username)
    user = User(
        username=username,
        full_name=(full_name or "").strip(),
        phone=(phone or "").strip(),
        home_congress=congress,
    )
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise FieldErrors({"password": exc.messages}) from exc
    user.set_password(password)
    user.must_change_password = True  # the admin chose it: the user picks their own at first sign-in
    _full_clean(user)
    _save_unique(user, lambda: _check_username(username))
    audit.record(
        "user.created",
        actor=actor,
        congress=congress,
        obj=user,
        target_user=user,
        new=audit.snapshot(user, ["username", "full_name", "phone"]),
        correlation_id=correlation_id,
    )
    return user


def _refuse_duplicate_role(user: User) -> None:
    raise ValidationFailed(_("%(u)s 已经拥有这个角色。") % {"u": user.display_name}, code="duplicate")


@transaction.atomic
def do_grant_role(  # noqa: C901, PLR0912, PLR0915
    congress: Congress,
    *,
    actor: Any,
    user: User,
    role: str,
    unit: Unit | None = None,
    station: LiaisonStation | None = None,
    deputy: Deputy | None = None,
    correlation_id: uuid.UUID | None = None,
) -> Membership:
    """Give `user` a role in `congress`. Unit roles need a unit of this congress (coordinators: one
    of the four bodies), station roles a liaison station of this congress; other roles take neither.
    For the deputy role, `deputy` optionally links the account to a deputy record. Granting a role
    that was revoked before re-activates it."""
    authorize(actor, "congress.manage_members", congress, system=True)
    try:
        role = Role(role)
    except ValueError:
        raise FieldErrors({"role": [_("未知的角色。")]}) from None
    same_congress(congress, unit, _("单位"))
    same_congress(congress, station, _("联络站"))
    same_congress(congress, deputy, _("代表"))
    account = (
        User.objects.select_for_update()
        .only("pk", "username", "is_superuser", "home_congress")
        .get(pk=user.pk)
    )
    if not may_attach(actor, account, congress):
        raise FieldErrors({"username": [account_not_found(account.username)]})
    # A platform admin's grant of another congress's (or an unclaimed) account is marked as such.
    cross = (
        account.home_congress_id != congress.pk
        and not Membership.objects.filter(user=account, congress=congress).exists()
    )
    if cross and account.home_congress_id is None and not account.is_superuser:
        User.objects.filter(pk=user.pk).update(home_congress=congress)  # unclaimed: now this congress's
        user.home_congress = congress
    # decide on the rows as they are now, not on instances that may be stale
    unit = Unit.objects.get(pk=unit.pk) if unit is not None else None
    station = LiaisonStation.objects.get(pk=station.pk) if station is not None else None
    deputy = Deputy.objects.select_for_update().get(pk=deputy.pk) if deputy is not None else None
    errors: dict[str, list[str]] = {}
    if role in UNIT_ROLES:
        if unit is None:
            errors["unit"] = [_("“%(r)s”须选择所在单位。") % {"r": role.label}]
        elif not unit.active:
            errors["unit"] = [_("单位“%(u)s”已停用。") % {"u": unit}]
        elif role == Role.COORDINATOR and unit.kind != Unit.Kind.BODY:
            errors["unit"] = [_("交办协调员须属于一府一委两院之一（类型为“机关”的单位）。")]
    elif unit is not None:
        errors["unit"] = [_("“%(r)s”不需要选择单位。") % {"r": role.label}]
    if role in STATION_ROLES:
        if station is None:
            errors["station"] = [_("“%(r)s”须选择所在联络站。") % {"r": role.label}]
        elif not station.active:
            errors["station"] = [_("联络站“%(s)s”已停用。") % {"s": station}]
    elif station is not None:
        errors["station"] = [_("“%(r)s”不需要选择联络站。") % {"r": role.label}]
    if deputy is not None:
        if role != Role.DEPUTY:
            errors["deputy"] = [_("只有“人大代表”角色才能关联代表信息。")]
        elif deputy.user_id is not None and deputy.user_id != user.pk:
            errors["deputy"] = [_("代表 %(d)s 已关联其他账号。") % {"d": deputy}]
        else:
            other = _taken(Deputy.objects.filter(congress=congress, user=user), deputy)
            if other:
                errors["deputy"] = [_("该账号已关联代表 %(d)s。") % {"d": other}]
    if errors:
        raise FieldErrors(errors)
    correlation_id = correlation_id or uuid.uuid4()
    membership = (
        Membership.objects.select_for_update()
        .filter(user=user, congress=congress, role=role, unit=unit, station=station)
        .first()
    )
    if membership is not None and membership.active:
        _refuse_duplicate_role(user)
    if membership is None:
        membership = Membership(user=user, congress=congress, role=role, unit=unit, station=station)
        _full_clean(membership)
        _save_unique(membership, lambda: _refuse_duplicate_role(user))
    else:
        membership.active = True
        membership.save(update_fields=["active"])
    audit.record(
        "membership.granted",
        actor=actor,
        congress=congress,
        obj=membership,
        unit=unit,
        target_user=user,
        new={
            "role": str(role),
            "unit": unit.pk if unit else None,
            "station": station.pk if station else None,
        },
        note="cross_congress" if cross and actor is not None else "",
        correlation_id=correlation_id,
    )
    if hasattr(user, "_minyi_memberships"):
        del user._minyi_memberships
    if deputy is not None and deputy.user_id != user.pk:
        do_update_deputy(deputy, actor=actor, changes={"user": user}, correlation_id=correlation_id)
    return membership


@transaction.atomic
def do_revoke_role(membership: Membership, *, actor: Any) -> Membership:
    """Withdraw a role (the row stays, inactive, for the record). The last congress admin of a
    congress cannot be removed, so that somebody can always manage it."""
    congress = membership.congress
    authorize(actor, "congress.manage_members", congress, system=True)
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "unit")
        .get(pk=membership.pk)
    )
    if not membership.active:
        raise InvalidTransition(_("该角色已经撤销。"), code="already_revoked")
    if membership.role == Role.CONGRESS_ADMIN:
        admins = list(
            Membership.objects.select_for_update()
            .filter(congress=congress, role=Role.CONGRESS_ADMIN, active=True)
            .values_list("pk", flat=True)
        )
        if admins == [membership.pk]:
            raise ValidationFailed(
                _("这是本人大唯一的管理员，不能撤销。请先为其他人授予“人大管理员”角色。"), code="last_admin"
            )
    membership.active = False
    membership.save(update_fields=["active"])
    audit.record(
        "membership.revoked",
        actor=actor,
        congress=congress,
        obj=membership,
        unit=membership.unit,
        target_user=membership.user,
        old={
            "role": membership.role,
            "unit": membership.unit_id,
            "station": membership.station_id,
            "active": True,
        },
        new={"active": False},
    )
    if hasattr(membership.user, "_minyi_memberships"):
        del membership.user._minyi_memberships
    return membership


# --- a new congress (platform admins and the system: `manage.py create_congress`) ----------------

#: A congress code is part of every address (/c/<code>/): lowercase letters, digits and single hyphens.
CONGRESS_CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CONGRESS_FIELDS = ["code", "name", "short_name", "level"]


def _require_platform_admin(actor: Any) -> None:
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise NotPermitted(_("只有平台管理员可以新建人大。"))


def _check_new_code(code: str) -> None:
    if not CONGRESS_CODE_RE.match(code) or len(code) > 32:
        raise FieldErrors(
            {"code": [_("代码只能由小写英文字母、数字和连字符组成（最多 32 个字符），如 shifan。")]},
            code="bad_code",
        )
    if Congress.objects.filter(code=code).exists():
        raise FieldErrors(
            {"code": [_("代码“%(c)s”已被另一个人大使用。") % {"c": code}]}, code="duplicate_code"
        )


@transaction.atomic
def do_create_congress(
    *,
    actor: Any,
    code: str,
    name: str,
    short_name: str,
    level: str = Congress.Level.COUNTY,
    parent: Congress | None = None,
) -> Congress:
    """A new congress (the tenant) with its policy (the defaults of DOMAIN.md §4) and the default
    taxonomies (`defaults.default_items`, each an audited item). Platform admins and the system only;
    the code is refused when it is malformed or taken."""
    from .defaults import default_items

    _require_platform_admin(actor)
    code = (code or "").strip()
    _check_new_code(code)
    congress = Congress(
        code=code,
        name=(name or "").strip(),
        short_name=(short_name or "").strip(),
        level=level,
        parent=parent,
    )
    _full_clean(congress)
    _save_unique(congress, lambda: _check_new_code(code))
    audit.record(
        "congress.created",
        actor=actor,
        congress=congress,
        obj=congress,
        new={**audit.snapshot(congress, CONGRESS_FIELDS), "parent": parent.code if parent else None},
    )
    ensure_policy(congress)
    for kind, fields in default_items():
        _add_taxonomy_item(congress, actor=actor, kind=kind, fields=fields)
    return congress


@transaction.atomic
def do_create_congress_admin(congress: Congress, *, actor: Any, username: str, full_name: str = "") -> User:
    """The first admin account of a new congress: an account of this congress without a usable
    password (it is set through a one-time link, `accounts.actions.do_issue_password_link`) holding
    the congress admin role. Platform admins and the system only."""
    _require_platform_admin(actor)
    username = (username or "").strip()
    _check_username(username)
    user = User(username=username, full_name=(full_name or username).strip(), home_congress=congress)
    user.set_unusable_password()
    _full_clean(user, exclude=["password"])
    _save_unique(user, lambda: _check_username(username))
    audit.record(
        "user.created",
        actor=actor,
        congress=congress,
        obj=user,
        target_user=user,
        new=audit.snapshot(user, ["username", "full_name", "phone"]),
    )
    do_grant_role(congress, actor=actor, user=user, role=Role.CONGRESS_ADMIN)
    return user
