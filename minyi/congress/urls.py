from django.urls import path

from . import views

app_name = "congress"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("deputies/", views.deputies, name="deputies"),
    path("units/", views.units, name="units"),
    path("stations/", views.stations, name="stations"),
    path("policy/", views.policy, name="policy"),
]
