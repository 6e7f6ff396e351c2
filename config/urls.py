from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from minyi.supervision import calendar_views


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers and bookmarks ask for /favicon.ico whatever the page links (issue #12)."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))


urlpatterns = [
    path("", include("minyi.core.urls")),
    path("favicon.ico", favicon),
    path("accounts/", include("minyi.accounts.urls")),
    path("", include("minyi.notifications.urls")),  # /inbox/ and /c/<code>/urge/…
    path("c/<slug:code>/suggestions/", include("minyi.suggestions.urls")),
    path("c/<slug:code>/intake/", include("minyi.intake.urls")),
    path("c/<slug:code>/reports/", include("minyi.reports.urls")),
    path("c/<slug:code>/supervision/", include("minyi.supervision.urls")),
    path("c/<slug:code>/awards/", include("minyi.awards.urls")),
    path("c/<slug:code>/publication/", include("minyi.publication.urls")),
    path("c/<slug:code>/points/", include("minyi.points.urls")),
    path("c/<slug:code>/search/", include("minyi.textsearch.urls")),
    path("c/<slug:code>/accounts/", include("minyi.accounts.urls_congress")),
    path("c/<slug:code>/", include("minyi.congress.urls")),
    path("p/<slug:code>/", include("minyi.publication.urls_public")),  # the public site: no sign-in
    path("calendar/", include("minyi.workdays.urls")),
    # The deadlines a national calendar change moves: supervision's page, linked from the calendar's.
    path("calendar/recompute/", calendar_views.recompute, name="calendar_recompute"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("minyi.api.urls")),
    path(settings.ADMIN_URL if hasattr(settings, "ADMIN_URL") else "django-admin/", admin.site.urls),
]
