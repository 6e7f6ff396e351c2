"""An account whose password someone else chose (`User.must_change_password`) must choose its own
before doing anything else: every page sends it to the change-password page, the API answers 403
with the code ``password_change_required``. Signing out, the change page itself, a set-password
link and switching the language stay open."""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

CODE = "password_change_required"


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            response = self._refuse(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _refuse(self, request):
        path = request.path_info
        change = reverse("accounts:password_change")
        open_paths = (
            change,
            reverse("accounts:logout"),
            reverse("set_language"),
            "/accounts/set-password/",
            "/static/",
        )
        if path.startswith(open_paths):
            return None
        detail = _("您的密码由他人设置，请先修改密码。")
        if path.startswith("/api/"):
            return JsonResponse({"code": CODE, "detail": detail}, status=403)
        if request.method == "GET":
            messages.warning(request, detail)
        return redirect(change)
