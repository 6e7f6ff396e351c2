"""The action kit: what every `do_*` action shares (house rule 1, issue #11).

- `Actor`: who acts — a `User`, or None for the system (periodic jobs, imports, commands).
- `Ctx`: one call of one action — actor, congress, one correlation id for all its audit rows, the
  moment it runs, and the congress's policy and working-day calendar loaded when first asked for.
- `authorize()`: the actor holds a named `rules` permission on an object, else `NotPermitted`.
- `same_congress()`: a referenced row belongs to the acting congress (the tenant), else
  `ValidationFailed`/`FieldErrors` with code ``wrong_congress``.
- `clean_text()`: stripped text, refused when blank or too long.
- `record()`: one audit row of this call, with its actor, congress and correlation id.

- `roles_of()`: the user's roles in a congress — the one definition every app's rules use.
- `register_calendar()`: how a `Ctx` loads its congress's working-day calendar, given by the
  workdays app when it starts (core sits below workdays and does not import it).

Role groups (STAFF_ROLES, OVERSIGHT_ROLES …) are defined once, next to `Role` in
minyi/accounts/models.py.
Like the rest of core, this module imports no app except accounts/congress (tenancy) and audit.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import rules
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from minyi import audit
from minyi.core.errors import FieldErrors, NotPermitted, ValidationFailed
from minyi.core.tenancy import roles_in

if TYPE_CHECKING:
    from django.db.models import Model

    from minyi.accounts.models import User
    from minyi.audit.models import AuditEvent
    from minyi.congress.models import Congress, Policy
    from minyi.workdays.services import WorkCalendar

#: Who acts: a user, or None for the system.
Actor: TypeAlias = "User | None"

#: The working-day calendar of a congress (national days + its local closures): set by
#: `WorkdaysConfig.ready()` to `minyi.workdays.services.get_calendar`.
_calendar_of: Callable[[Congress], WorkCalendar] | None = None


def register_calendar(calendar_of: Callable[[Congress], WorkCalendar]) -> None:
    """Give the kit the function that loads a congress's working-day calendar (`Ctx.calendar`)."""
    global _calendar_of
    _calendar_of = calendar_of


@dataclass
class Ctx:
    """One call of one action: who acts, in which congress, when, and one correlation id for all
    the audit rows the call writes. `policy` and `calendar` are loaded on first use."""

    actor: Actor
    congress: Congress
    correlation_id: uuid.UUID = field(default_factory=uuid.uuid4)
    now: datetime.datetime = field(default_factory=timezone.now)
    _policy: Policy | None = None
    _calendar: WorkCalendar | None = None

    @property
    def today(self) -> datetime.date:
        return timezone.localdate(self.now)

    @property
    def policy(self) -> Policy:
        if self._policy is None:
            from minyi.congress.models import Policy

            # As congress.actions.ensure_policy (created with the defaults if missing); that module
            # imports the kit, so the kit does not import it.
            self._policy, _created = Policy.objects.get_or_create(congress=self.congress)
        return self._policy

    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            if _calendar_of is None:
                raise RuntimeError("the workdays app is not installed (kit.register_calendar)")
            self._calendar = _calendar_of(self.congress)  # national days + this congress's closures
        return self._calendar


def ctx_for(actor: Actor, congress: Congress) -> Ctx:
    return Ctx(actor=actor, congress=congress)


def roles_of(user: Any, congress: Congress | None) -> set[str]:
    """The user's roles in `congress`: their active memberships only (a superuser gets none for
    free, decision 0009). Nobody has roles without a congress, nor while signed out or deactivated.
    Memberships are cached on the user object for the request (`tenancy.memberships_of`)."""
    if (
        congress is None
        or not getattr(user, "is_authenticated", False)
        or not getattr(user, "is_active", False)
    ):
        return set()
    return set(roles_in(user, congress))


def _text_of(message: str | Promise | None, default: str) -> str:
    return str(message) if message is not None else default


def authorize(
    who: Ctx | Actor, perm: str, obj: Any, message: str | Promise | None = None, *, system: bool = False
) -> None:
    """The actor (of a `Ctx`, or given) holds the `rules` permission `perm` on `obj`, else
    NotPermitted with `message` (by default "您没有权限执行此操作。").

    Checked with ``rules.has_perm`` (not ``user.has_perm``, which lets an active superuser pass
    everything): a superuser has only the roles of their memberships (decision 0009). The system (actor None) is
    refused unless ``system=True`` (actions the system may run: imports, commands)."""
    actor = who.actor if isinstance(who, Ctx) else who
    if actor is None:
        if system:
            return
        raise NotPermitted(_text_of(message, _("您没有权限执行此操作。")))
    if not rules.has_perm(perm, actor, obj):
        raise NotPermitted(_text_of(message, _("您没有权限执行此操作。")))


def same_congress(
    where: Ctx | Congress,
    obj: Any,
    what: str | Promise,
    *,
    field: str | None = None,
    required: bool = False,
    message: str | Promise | None = None,
) -> None:
    """`obj` (a row with ``congress_id``) belongs to the acting congress (the tenant), else
    ValidationFailed (FieldErrors on `field` when given) with code ``wrong_congress`` and the
    message "所选<what>不属于本人大。" (or `message`, a ``%(what)s`` template). None passes unless
    `required` (then it is refused with the same message)."""
    congress = where.congress if isinstance(where, Ctx) else where
    if obj is None and not required:
        return
    if obj is None or obj.congress_id != congress.pk:
        template = _text_of(message, _("所选%(what)s不属于本人大。"))
        text = template % {"what": what}
        if field is not None:
            raise FieldErrors({field: text}, code="wrong_congress")
        raise ValidationFailed(text, code="wrong_congress")


def clean_text(
    value: str | None,
    message: str | Promise,
    *,
    code: str = "required",
    required: bool = True,
    limit: int | None = None,
    too_long: str | Promise | None = None,
    too_long_code: str = "too_long",
    field: str | None = None,
) -> str:
    """`value` stripped. Blank (when `required`) → `message` with `code`; longer than `limit`
    characters → `too_long` (a template of the limit ``%(n)s`` and the length given ``%(m)s``, by
    default "不能超过%(n)s个字。") with `too_long_code`. Raised as FieldErrors on `field` when given,
    else ValidationFailed."""
    text = (value or "").strip()
    problem: tuple[str, str] | None = None
    if required and not text:
        problem = (str(message), code)
    elif limit and len(text) > limit:
        problem = (_text_of(too_long, _("不能超过%(n)s个字。")) % {"n": limit, "m": len(text)}, too_long_code)
    if problem is not None:
        if field is not None:
            raise FieldErrors({field: problem[0]}, code=problem[1])
        raise ValidationFailed(problem[0], code=problem[1])
    return text


def record(ctx: Ctx, code: str, obj: Model | None = None, **kwargs: Any) -> AuditEvent:
    """One audit row of this call (`audit.record`, inside the action's transaction), with the
    call's actor, congress and correlation id; `kwargs` as `audit.record` takes them (unit,
    target_user, old, new, note, typed links such as suggestion=…)."""
    return audit.record(
        code,
        actor=ctx.actor,
        congress=ctx.congress,
        obj=obj,
        correlation_id=ctx.correlation_id,
        **kwargs,
    )
