"""The public site of a congress, `/p/<code>/`: no sign-in (docs/user-guide/public.md)."""

from django.urls import path

from minyi.publication import tracking, views_public

app_name = "public"

urlpatterns = [
    path("", views_public.home, name="home"),
    path("s/", views_public.suggestion_list, name="list"),
    path("s/<int:pk>/", views_public.suggestion_detail, name="detail"),
    path("figures/", views_public.figures, name="figures"),
    path("themes/", views_public.themes, name="themes"),
    path("awards/", views_public.awards, name="awards"),
    path("feed.atom", views_public.feed, name="feed"),
    path("data/", views_public.data, name="data"),
    path("data/suggestions.<str:fmt>", views_public.data_download, name="data_download"),
    path("lang/<str:lang>/", views_public.language, name="language"),
    path("track/", tracking.track, name="track"),
]
