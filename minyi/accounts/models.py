"""People and what they may do: a custom User and memberships (user × congress × role)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    # Set when someone else chose the password (an admin creating the account): the user must pick
    # their own at the next sign-in (minyi.accounts.middleware), and it is cleared when they do.
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    #: The congress that opened the account (its admin or its roster import). Only that congress —
    #: or a platform admin — may give the account a first role in another congress; None for
    #: platform admins and for accounts no congress has claimed (minyi.congress.members).
    home_congress = models.ForeignKey(
        "congress.Congress",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="home_users",
        verbose_name=_("所属人大"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class Role(models.TextChoices):
    CONGRESS_ADMIN = "congress_admin", _("人大管理员")
    CONGRESS_CLERK = "congress_clerk", _("代表工委工作人员")
    DEPUTY = "deputy", _("人大代表")
    LIAISON_CLERK = "liaison_clerk", _("联络站工作人员")
    COORDINATOR = "coordinator", _("交办协调员")
    UNIT_CLERK = "unit_clerk", _("承办单位联络员")
    UNIT_HANDLER = "unit_handler", _("承办人")
    UNIT_LEADER = "unit_leader", _("承办单位负责人")
    SUPERVISOR = "supervisor", _("常委会领导")
    INSPECTOR = "inspector", _("督查考核室")
    JUDGE = "judge", _("评审专家")
    VIEWER = "viewer", _("查阅人员")


# --- role groups: every group of roles the apps use, defined once (issue #11) --------------------
# Import them from here; an app that needs another mix adds a named group here with its reason.

#: The congress's own staff (代表工委 clerks and the congress admins): they run the workflows
#: (review, dispatch, supervision records, points review, objections).
STAFF_ROLES = frozenset({Role.CONGRESS_ADMIN, Role.CONGRESS_CLERK})
#: The people of a handling unit who work on its assignments (联络员, 承办人, 负责人) — not the
#: coordinator of the body above it.
UNIT_WORK_ROLES = frozenset({Role.UNIT_CLERK, Role.UNIT_HANDLER, Role.UNIT_LEADER})
#: Roles that act for a handling unit (or, for coordinators, for one of the four bodies) and so
#: need `Membership.unit`: the unit workers plus the coordinator.
UNIT_ROLES = frozenset({Role.COORDINATOR, *UNIT_WORK_ROLES})
#: Roles that act for a liaison station and so need `Membership.station`.
STATION_ROLES = frozenset({Role.LIAISON_CLERK})
#: Who supervises the handling (DOMAIN.md §1 "supervisors: standing-committee leaders, inspection
#: office", plus the congress staff): the whole supervision board, supervision records, 催办.
#: Read-only viewers are not in it.
SUPERVISING_ROLES = frozenset({*STAFF_ROLES, Role.SUPERVISOR, Role.INSPECTOR})
#: Who reads every record of the congress (suggestions, voter opinions): the supervisors. Not the
#: read-only viewers (查阅人员): they read accepted suggestions with their replies, figures,
#: published award rounds and rankings, no unit records, voter opinions or points records (decision
#: 0009; the rules of each app say it).
OVERSIGHT_ROLES = SUPERVISING_ROLES
#: OVERSIGHT_ROLES without the inspection office (督查考核室): who sees every award round and every
#: deputy's points record today. The apps disagree on the inspector here (suggestions and intake let
#: it read everything; awards and points do not); kept as it was, for the lead to decide (issue #11).
OVERSIGHT_EXCEPT_INSPECTOR = OVERSIGHT_ROLES - {Role.INSPECTOR}


class Membership(models.Model):
    """One role of one user in one congress; a user may hold several."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("用户")
    )
    congress = models.ForeignKey(
        "congress.Congress", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("人大")
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        "congress.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("单位"),
    )
    station = models.ForeignKey(
        "congress.LiaisonStation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("联络站"),
    )
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "congress", "role"],
                condition=Q(unit__isnull=True, station__isnull=True),
                name="membership_unique_plain",
            ),
            models.UniqueConstraint(
                fields=["user", "congress", "role", "unit"],
                condition=Q(unit__isnull=False),
                name="membership_unique_unit",
            ),
            models.UniqueConstraint(
                fields=["user", "congress", "role", "station"],
                condition=Q(station__isnull=False),
                name="membership_unique_station",
            ),
        ]
        indexes = [models.Index(fields=["congress", "role"])]

    def __str__(self) -> str:
        where = self.unit or self.station or ""
        return f"{self.user} · {self.get_role_display()} · {self.congress}{' · ' if where else ''}{where}"
