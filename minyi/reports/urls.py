from django.urls import path

from . import views, views_dashboard, views_exports

app_name = "reports"
urlpatterns = [
    path("", views.figures_page, name="figures"),
    path("figure/<slug:key>/", views.figure_detail, name="figure"),
    path("units/", views.league_page, name="league"),
    path("units/<int:pk>/", views.unit_page, name="unit"),
    path("dashboard/", views_dashboard.overview, name="dashboard"),
    path("dashboard/units/<int:pk>/", views_dashboard.unit_dashboard, name="dashboard_unit"),
    path("dashboard/groups/", views_dashboard.groups, name="dashboard_groups"),
    path("dashboard/list/", views_dashboard.segment_list, name="dashboard_list"),
    path("bulletin/", views_exports.bulletin, name="bulletin"),
    path("exports/", views_exports.exports, name="exports"),
    path("history/", views_exports.history, name="history"),
]
