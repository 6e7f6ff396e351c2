from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.figures_page, name="figures"),
    path("figure/<slug:key>/", views.figure_detail, name="figure"),
    path("units/", views.league_page, name="league"),
    path("units/<int:pk>/", views.unit_page, name="unit"),
]
