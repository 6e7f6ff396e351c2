from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minyi.congress.actions import FieldErrors
from minyi.core.decorators import congress_view
from minyi.core.errors import DomainError

from . import actions, selectors
from .forms import ChangePasswordForm, LinkSetPasswordForm, LoginForm

if TYPE_CHECKING:
    from .models import User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def _apply_errors(form, exc: DomainError) -> None:
    errors = getattr(exc, "errors", None) or {"__all__": [exc.detail]}
    for name, msgs in errors.items():
        for msg in msgs:
            form.add_error(name if name in form.fields else None, msg)


class PasswordChangeView(auth_views.PasswordChangeView):
    """修改密码: any signed-in user, from the user menu (and forced after a password set by others)."""

    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("core:home")

    def form_valid(self, form):
        signed_in = cast("User", self.request.user)  # Django's PasswordChangeView is login_required
        try:
            user = actions.do_change_password(
                signed_in,
                actor=signed_in,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except DomainError as exc:
            _apply_errors(form, exc)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)  # stay signed in here, other sessions end
        messages.success(self.request, _("密码已修改。"))
        return redirect(self.get_success_url())


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The page behind a set-password link issued by a congress admin (works once, expires)."""

    template_name = "accounts/set_password.html"
    form_class = LinkSetPasswordForm
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form):
        token = self.request.session.get(INTERNAL_RESET_SESSION_TOKEN, "")
        try:
            actions.do_set_password_by_link(
                cast("User", self.user),  # a valid link's user: the form is shown for no other
                token=token,
                new_password=form.cleaned_data["new_password1"],
            )
        except FieldErrors as exc:
            _apply_errors(form, exc)
            return self.form_invalid(form)
        except DomainError:
            self.validlink = False
            return self.render_to_response(self.get_context_data())
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, _("密码已设置，请用新密码登录。"))
        return redirect(self.get_success_url())


# --- congress admins: set-password links and locked accounts (below /c/<code>/accounts/) ----------


@congress_view("congress.manage_members")
@require_POST
def password_link(request, pk: int):
    """Issue a set-password link for an account of this congress and show it, once."""
    user = selectors.access_account(request.congress, pk)
    try:
        path = actions.do_issue_password_link(request.congress, actor=request.user, user=user)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("congress:members", request.congress.code)
    response = render(
        request,
        "accounts/password_link.html",
        {"account": user, "link": request.build_absolute_uri(path), "days": _link_days()},
    )
    add_never_cache_headers(response)  # the link is shown once: no copy in any cache
    return response


def _link_days() -> str:
    from django.conf import settings

    days = settings.PASSWORD_RESET_TIMEOUT / 86400
    return f"{days:g}"


@congress_view("congress.manage_members")
def locked(request):
    """解锁: the accounts of this congress locked out after failed sign-ins."""
    return render(
        request,
        "accounts/locked.html",
        {"accounts": selectors.locked_accounts(request.congress)},
    )


@congress_view("congress.manage_members")
@require_POST
def unlock(request, pk: int):
    user = selectors.access_account(request.congress, pk)
    try:
        actions.do_unlock_account(request.congress, actor=request.user, user=user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request, _("已解锁 %(u)s（%(n)s），可以重新登录。") % {"u": user.display_name, "n": user.username}
        )
    return redirect(reverse("accounts_congress:locked", args=[request.congress.code]))
