from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def inbox(request):
    """`unread_notices`: the signed-in user's unread count for the nav badge (one query, and only
    when a page shows it)."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {"unread_notices": SimpleLazyObject(lambda: unread_count(user))}
