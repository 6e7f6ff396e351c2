"""Who may do what in 网上督办. Congress-level permissions take the Congress; record-level ones take
the record (theme, supervision record, inspection, instruction). Check them with
``rules.has_perm(name, user, obj)`` (a superuser has only the roles of their memberships, decision 0009).

- Board (督办看板): congress admins and clerks, supervisors (常委会领导), the inspection office
  (督查考核室) and the task force see the whole congress; coordinators see their own body's units.
  Deputies, unit staff, judges and viewers do not see it (404).
- Key themes: admins define them and their member suggestions; the board's congress-wide readers
  (and viewers) read them; supervisors, staff, the inspection office and the task force record
  supervision; the supervised unit's staff answer (or staff enter the answer for them).
- Task force (督导专班): admins designate members; members inspect units' handling; the
  inspected unit answers.
- Instructions (批示): the inspection office and congress staff record them; the inspection office
  and admins conclude the special supervision.
- Recalculating deadlines after a change of policy or calendar: congress admins only.
"""

from __future__ import annotations

from typing import Any

import rules

from minyi.accounts.models import STAFF_ROLES, SUPERVISING_ROLES, UNIT_WORK_ROLES, Role
from minyi.core.kit import roles_of
from minyi.core.tenancy import roles_in, units_of

#: Who sees the whole board.
WHOLE_BOARD_ROLES = SUPERVISING_ROLES
#: Who may add supervision records (besides task-force members).
RECORDING_ROLES = SUPERVISING_ROLES


def task_force_congresses(user: Any) -> set[int]:
    """The congresses in which `user` is an active task-force member (cached on the user object)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return set()
    cached = getattr(user, "_minyi_task_forces", None)
    if cached is None:
        from .models import TaskForceMember

        cached = set(
            TaskForceMember.objects.filter(user=user, removed_at__isnull=True).values_list(
                "congress_id", flat=True
            )
        )
        user._minyi_task_forces = cached
    return cached


def forget_task_force_cache(user: Any) -> None:
    if hasattr(user, "_minyi_task_forces"):
        del user._minyi_task_forces


def in_task_force(user: Any, congress: Any) -> bool:
    """An active task-force member who still holds a role in the congress."""
    return (
        congress is not None and congress.pk in task_force_congresses(user) and bool(roles_in(user, congress))
    )


def coordinator_bodies(user: Any, congress: Any) -> set[int]:
    return units_of(user, congress, [Role.COORDINATOR])


def _congress_of(obj: Any) -> Any:
    from minyi.congress.models import Congress

    return obj if obj is None or isinstance(obj, Congress) else obj.congress


# --- congress-level predicates ----------------------------------------------------------------------


@rules.predicate
def sees_whole_board(user: Any, obj: Any) -> bool:
    congress = _congress_of(obj)
    return bool(roles_of(user, congress) & WHOLE_BOARD_ROLES) or in_task_force(user, congress)


@rules.predicate
def is_coordinator(user: Any, obj: Any) -> bool:
    return bool(coordinator_bodies(user, _congress_of(obj)))


@rules.predicate
def is_admin(user: Any, obj: Any) -> bool:
    return Role.CONGRESS_ADMIN in roles_of(user, _congress_of(obj))


@rules.predicate
def is_staff(user: Any, obj: Any) -> bool:
    return bool(roles_of(user, _congress_of(obj)) & STAFF_ROLES)


@rules.predicate
def is_inspector(user: Any, obj: Any) -> bool:
    return Role.INSPECTOR in roles_of(user, _congress_of(obj))


@rules.predicate
def is_task_force(user: Any, obj: Any) -> bool:
    return in_task_force(user, _congress_of(obj))


@rules.predicate
def is_viewer(user: Any, obj: Any) -> bool:
    return Role.VIEWER in roles_of(user, _congress_of(obj))


@rules.predicate
def may_record(user: Any, obj: Any) -> bool:
    congress = _congress_of(obj)
    return bool(roles_of(user, congress) & RECORDING_ROLES) or in_task_force(user, congress)


# --- record-level predicates ------------------------------------------------------------------------


def _unit_staff(user: Any, congress: Any, unit_id: int | None) -> bool:
    """A worker of the unit, or the coordinator of its body."""
    if unit_id is None:
        return False
    if unit_id in units_of(user, congress, UNIT_WORK_ROLES):
        return True
    from minyi.congress.models import Unit

    bodies = coordinator_bodies(user, congress)
    return bool(bodies) and Unit.objects.filter(pk=unit_id, body__in=bodies).exists()


@rules.predicate
def is_supervised_unit(user: Any, record: Any) -> bool:
    """Staff of the unit a supervision record is about (or of its body's coordinator)."""
    return _unit_staff(user, record.congress, record.unit_id)


@rules.predicate
def is_supervised_unit_worker(user: Any, record: Any) -> bool:
    return record.unit_id is not None and record.unit_id in units_of(user, record.congress, UNIT_WORK_ROLES)


@rules.predicate
def is_inspected_unit(user: Any, inspection: Any) -> bool:
    return _unit_staff(user, inspection.congress, inspection.assignment.unit_id)


@rules.predicate
def is_inspected_unit_worker(user: Any, inspection: Any) -> bool:
    return inspection.assignment.unit_id in units_of(user, inspection.congress, UNIT_WORK_ROLES)


readers = sees_whole_board | is_viewer

rules.add_perm("supervision.view_board", sees_whole_board | is_coordinator)
rules.add_perm("supervision.view_whole_board", sees_whole_board)
rules.add_perm("supervision.decide_requests", is_staff | is_coordinator)
rules.add_perm("supervision.decide_extensions", is_staff)
rules.add_perm("supervision.recalculate_deadlines", is_admin)
rules.add_perm("supervision.view_themes", readers)
rules.add_perm("supervision.manage_themes", is_admin)
rules.add_perm("supervision.add_record", may_record)
rules.add_perm("supervision.view_record", readers | is_supervised_unit)
rules.add_perm("supervision.respond_record", is_supervised_unit_worker | may_record)
rules.add_perm("supervision.manage_task_force", is_admin)
rules.add_perm("supervision.view_task_force", readers)
rules.add_perm("supervision.inspect", is_task_force)
rules.add_perm("supervision.view_inspection", readers | is_inspected_unit)
rules.add_perm("supervision.answer_inspection", is_inspected_unit_worker)
rules.add_perm("supervision.record_deputy_view", is_task_force | is_inspector)
rules.add_perm("supervision.view_instructions", readers)
rules.add_perm("supervision.record_instruction", is_inspector | is_staff)
rules.add_perm("supervision.conclude_instruction", is_inspector | is_admin)
