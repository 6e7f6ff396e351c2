"""Pages below /c/<code>/intake/ (namespace "intake")."""

from django.urls import path

from . import exports, views

app_name = "intake"
urlpatterns = [
    path("", views.station_list, name="stations"),
    path("stations/<int:pk>/", views.station_detail, name="station"),
    path("stations/<int:pk>/events/", views.event_list, name="events"),
    path("stations/<int:pk>/events/export/", exports.event_list_export, name="events_export"),
    path("stations/<int:pk>/events/new/", views.event_create, name="event_create"),
    path("stations/<int:pk>/duty-days/new/", views.duty_day_create, name="duty_day_create"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("opinions/", views.opinion_list, name="opinions"),
    path("opinions/new/", views.opinion_create, name="opinion_create"),
    path("opinions/<int:pk>/", views.opinion_detail, name="opinion"),
    path("opinions/<int:pk>/slip/", views.opinion_slip, name="opinion_slip"),
    path("opinions/<int:pk>/<slug:action>/", views.opinion_step, name="opinion_step"),
    path("mine/", views.my_opinions, name="mine"),
    path("forwarded/", views.forwarded_opinions, name="forwarded"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
