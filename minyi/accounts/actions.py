"""Passwords and lockouts: the audited actions of the accounts app.

Who may act on whose account:
- anyone signed in changes their own password (`do_change_password`);
- a congress admin issues a one-time set-password link for an account of their own congress
  (`do_issue_password_link`) and unlocks an account of their own congress locked out after
  failed sign-ins (`do_unlock_account`); both are audited in that congress;
- whoever holds a valid link sets the password once (`do_set_password_by_link`).

Sign-ins themselves are audited by `minyi.accounts.signals` (platform rows, no congress).
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from minyi import audit
from minyi.congress.actions import FieldErrors
from minyi.congress.models import Congress
from minyi.core.errors import NotPermitted, ValidationFailed
from minyi.core.kit import authorize

from .models import User
from .selectors import accounts_of


def _validated(user: User, password: str, field: str) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise FieldErrors({field: exc.messages}) from exc


def _lock(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _require_own_account(congress: Congress, actor: Any, user: User) -> None:
    authorize(actor, "congress.manage_members", congress, system=True)
    if user.is_superuser or user.is_staff or not accounts_of(congress).filter(pk=user.pk).exists():
        raise NotPermitted(_("该账号不属于本人大，不能为其操作。"))


@transaction.atomic
def do_change_password(user: User, *, actor: Any, old_password: str, new_password: str) -> User:
    """The signed-in user chooses a new password (knowing the current one). Clears
    `must_change_password`. The caller keeps the session with `update_session_auth_hash`."""
    if actor is None or actor.pk != user.pk:
        raise NotPermitted(_("只能修改自己的密码。"))
    user = _lock(user)
    if not user.check_password(old_password):
        raise FieldErrors({"old_password": [_("原密码不正确。")]}, code="wrong_password")
    if old_password == new_password:
        raise FieldErrors({"new_password1": [_("新密码不能与原密码相同。")]}, code="same_password")
    _validated(user, new_password, "new_password1")
    was_required = user.must_change_password
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(
        "account.password_changed",
        actor=actor,
        obj=user,
        target_user=user,
        new={"required": was_required},
    )
    return user


def password_link_path(user: User) -> str:
    """The path of a fresh set-password link for `user` (valid until the password changes, or
    PASSWORD_RESET_TIMEOUT passes)."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:set_password", args=[uidb64, default_token_generator.make_token(user)])


@transaction.atomic
def do_issue_password_link(congress: Congress, *, actor: Any, user: User) -> str:
    """A congress admin makes a one-time set-password link for an account of their congress, to hand
    over in person (it is shown once and not stored). Returns the link's path."""
    _require_own_account(congress, actor, user)
    if not user.is_active:
        raise ValidationFailed(_("该账号已停用，不能设置密码。"), code="inactive")
    user = _lock(user)
    audit.record(
        "account.password_link_issued",
        actor=actor,
        congress=congress,
        obj=user,
        target_user=user,
    )
    return password_link_path(user)


@transaction.atomic
def do_set_password_by_link(user: User, *, token: str, new_password: str) -> User:
    """Whoever holds a valid link sets the account's password; the link then stops working (the
    token is made from the password hash). The user chose it, so `must_change_password` is cleared."""
    user = _lock(user)
    if not default_token_generator.check_token(user, token):
        raise ValidationFailed(_("链接无效或已过期。"), code="invalid_link")
    _validated(user, new_password, "new_password1")
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record("account.password_set_by_link", actor=user, obj=user, target_user=user)
    return user


@transaction.atomic
def do_unlock_account(congress: Congress, *, actor: Any, user: User) -> int:
    """Clear the failed sign-ins of an account of the admin's congress (at every address), so the
    lockout ends now. Returns the number of failure records removed."""
    _require_own_account(congress, actor, user)
    attempts = AccessAttempt.objects.filter(username=user.username)
    failures = sum(attempts.values_list("failures_since_start", flat=True))
    if not failures:
        raise ValidationFailed(_("该账号没有被锁定。"), code="not_locked")
    removed = axes_reset(username=user.username)
    audit.record(
        "account.unlocked",
        actor=actor,
        congress=congress,
        obj=user,
        target_user=user,
        old={"failures": failures},
    )
    return removed
