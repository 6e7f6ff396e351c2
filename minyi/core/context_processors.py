from django.utils.functional import SimpleLazyObject

from minyi.core.tenancy import congresses_of
from minyi.core.work import summary_for_request


def navigation(request):
    """The congresses the signed-in user may switch between, the current one (if any) and
    `work_total`, the open items of the user's 待办 there (for the menu badge: one query, only when
    a page shows it)."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {
        "my_congresses": congresses_of(user),
        "current_congress": getattr(request, "congress", None),
        "work_total": SimpleLazyObject(lambda: _work_total(request)),
    }


def _work_total(request) -> int:
    summary = summary_for_request(request)
    return summary.total if summary is not None else 0
