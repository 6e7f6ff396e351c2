"""The inbox (/inbox/, every congress of the user) and the urge pages (/c/<code>/urge/…)."""

from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.read_all, name="read_all"),
    path("inbox/<int:pk>/", views.open_notice, name="open"),
    path("inbox/<int:pk>/read/", views.read, name="read"),
    path("c/<slug:code>/urge/suggestion/<int:pk>/", views.urge_suggestion, name="urge_suggestion"),
    path("c/<slug:code>/urge/assignment/<int:pk>/", views.urge_assignment, name="urge_assignment"),
]
