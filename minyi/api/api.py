"""The REST API (django-ninja, OpenAPI at /api/v1/docs and /api/v1/openapi.json). One router per
app in `routers/`; Django session auth, with CSRF enforced on unsafe methods (see docs/API.md).

Error bodies:

- a refused action (`DomainError`): ``{"code", "detail"}`` with the error's status (403
  ``not_permitted``, 409 ``invalid_transition`` / ``deadline_passed``, 422 ``validation_failed``
  and friends; ``fields`` too when the error names input fields);
- input that does not fit the schema: 422 with ninja's ``{"detail": [...]}``;
- anything missing or not yours: 404 ``{"detail": "Not Found"}`` (the same for both, so ids
  cannot be probed).
"""

from django.http import Http404
from django.middleware.csrf import get_token
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.security import SessionAuth

from minyi.core.errors import DomainError, http_status

from .routers.congress import router as congress_router
from .routers.routing import router as routing_router
from .routers.suggestions import router as suggestions_router
from .routers.workdays import router as workdays_router

api = NinjaAPI(
    title="Minyi API",
    version="1",
    description="民意 · 代表建议办理平台 API. Authentication: Django session cookie; unsafe methods "
    "need the X-CSRFToken header (GET /api/v1/csrf). Errors: {code, detail}. See docs/API.md.",
    auth=SessionAuth(),
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    body = {"code": exc.code, "detail": exc.detail}
    errors = getattr(exc, "errors", None)  # congress.actions.FieldErrors: messages by field
    if errors:
        body["fields"] = errors
    return api.create_response(request, body, status=http_status(exc))


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    # The same body for "missing" and "not yours", also under DEBUG (ninja's default adds the reason).
    return api.create_response(request, {"detail": "Not Found"}, status=404)


class MembershipOut(Schema):
    congress: str
    role: str
    role_label: str
    unit: int | None


class MeOut(Schema):
    username: str
    name: str
    memberships: list[MembershipOut]


@api.get("/me", response=MeOut, tags=["accounts"], summary="The signed-in user and their memberships")
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


class CsrfOut(Schema):
    csrf_token: str


@api.get(
    "/csrf",
    auth=None,
    response=CsrfOut,
    tags=["accounts"],
    summary="CSRF token for unsafe requests · 获取 CSRF 令牌",
)
def csrf(request):
    """Sets the ``csrftoken`` cookie and returns its value: send it back as the ``X-CSRFToken``
    header on POST, PUT, PATCH and DELETE."""
    return {"csrf_token": get_token(request)}


api.add_router("/congresses/", congress_router)
api.add_router("/congresses/", suggestions_router)
api.add_router("/congresses/", routing_router)
api.add_router("/calendar/", workdays_router)
