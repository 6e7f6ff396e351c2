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
    path("exports/<uuid:job_id>/", views_exports.export_job, name="export_job"),
    path("exports/<uuid:job_id>/progress/", views_exports.export_progress, name="export_progress"),
    path("exports/<uuid:job_id>/download/", views_exports.export_download, name="export_download"),
    path("history/", views_exports.history, name="history"),
    path("history/template/", views_exports.history_template, name="history_template"),
    path("history/<uuid:batch_id>/", views_exports.history_batch, name="history_batch"),
    path("history/<uuid:batch_id>/progress/", views_exports.history_progress, name="history_progress"),
    path("history/<uuid:batch_id>/errors/", views_exports.history_errors, name="history_errors"),
    path("history/<uuid:batch_id>/commit/", views_exports.history_commit, name="history_commit"),
]
