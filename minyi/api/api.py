"""The REST API (django-ninja, OpenAPI at /api/v1/docs). One router per app; session auth with CSRF."""

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import SessionAuth

from minyi.core.errors import DomainError

api = NinjaAPI(title="Minyi API", version="1", auth=SessionAuth(), urls_namespace="api")


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, {"code": exc.code, "detail": exc.detail}, status=exc.status)


@api.get("/me", tags=["accounts"], summary="The signed-in user and their memberships")
def me(request):
    from minyi.core.tenancy import memberships_of

    return {
        "username": request.user.username,
        "name": request.user.display_name,
        "memberships": [
            {
                "congress": m.congress.code,
                "role": m.role,
                "role_label": _(m.get_role_display()),
                "unit": m.unit_id,
            }
            for m in memberships_of(request.user)
        ],
    }
