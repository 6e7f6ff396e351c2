from django.urls import path

from . import views

app_name = "congress"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # deputies and their groups
    path("deputies/", views.deputies, name="deputies"),
    path("deputies/new/", views.deputy_create, name="deputy_create"),
    path("deputies/<int:pk>/", views.deputy_detail, name="deputy_detail"),
    path("deputies/<int:pk>/edit/", views.deputy_edit, name="deputy_edit"),
    path("groups/", views.groups, name="groups"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    # liaison stations
    path("stations/", views.stations, name="stations"),
    path("stations/new/", views.station_create, name="station_create"),
    path("stations/<int:pk>/", views.station_detail, name="station_detail"),
    path("stations/<int:pk>/edit/", views.station_edit, name="station_edit"),
    # handling units (a tree)
    path("units/", views.units, name="units"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/active/", views.unit_set_active, name="unit_set_active"),
    # terms and sessions
    path("terms/", views.terms, name="terms"),
    path("terms/new/", views.term_create, name="term_create"),
    path("terms/<int:pk>/edit/", views.term_edit, name="term_edit"),
    path("terms/<int:term_pk>/sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    # policy and its taxonomies
    path("policy/", views.policy, name="policy"),
    path("policy/edit/", views.policy_edit, name="policy_edit"),
    path("policy/<slug:kind>/", views.taxonomy, name="taxonomy"),
    path("policy/<slug:kind>/new/", views.taxonomy_create, name="taxonomy_create"),
    path("policy/<slug:kind>/<int:pk>/edit/", views.taxonomy_edit, name="taxonomy_edit"),
    path("policy/<slug:kind>/<int:pk>/move/", views.taxonomy_move, name="taxonomy_move"),
    path("policy/<slug:kind>/<int:pk>/active/", views.taxonomy_set_active, name="taxonomy_set_active"),
    # members: accounts and roles
    path("members/", views.members, name="members"),
    path("members/grant/", views.member_grant, name="member_grant"),
    path("members/<int:pk>/revoke/", views.member_revoke, name="member_revoke"),
]

# roster import (花名册导入), see views_roster.py
from . import views_roster  # noqa: E402

urlpatterns += [
    path("roster/", views_roster.upload, name="roster_import"),
    path("roster/template.xlsx", views_roster.template, name="roster_template"),
    path("roster/jobs/<uuid:job_id>/", views_roster.job, name="roster_job"),
    path("roster/jobs/<uuid:job_id>/progress/", views_roster.progress, name="roster_job_progress"),
    path("roster/jobs/<uuid:job_id>/errors.xlsx", views_roster.errors_xlsx, name="roster_job_errors"),
    path("roster/jobs/<uuid:job_id>/commit/", views_roster.commit, name="roster_job_commit"),
]
