from minyi.core.tenancy import congresses_of


def navigation(request):
    """The congresses the signed-in user may switch between, and the current one (if any)."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {
        "my_congresses": congresses_of(user),
        "current_congress": getattr(request, "congress", None),
    }
