"""Pages below /c/<code>/points/ (namespace "points")."""

from django.urls import path

from . import views

app_name = "points"
urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("sync/", views.sync, name="sync"),
    path("me/", views.my_record, name="me"),
    path("deputies/<int:pk>/", views.record, name="record"),
    path("entries/<int:pk>/object/", views.objection_create, name="object"),
    path("objections/", views.objection_list, name="objections"),
    path("objections/<int:pk>/", views.objection_detail, name="objection"),
    path("manual/", views.manual_list, name="manual"),
    path("manual/new/", views.manual_create, name="manual_create"),
    path("manual/<int:pk>/", views.manual_detail, name="manual_detail"),
    path("manual/<int:pk>/evidence/", views.manual_evidence, name="manual_evidence"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/defaults/", views.rules_seed, name="rules_seed"),
    path("rules/new/", views.rule_create, name="rule_create"),
    path("rules/<int:pk>/replace/", views.rule_replace, name="rule_replace"),
    path("rules/<int:pk>/end/", views.rule_end, name="rule_end"),
    path("expectations/", views.expectations, name="expectations"),
    path("expectations/new/", views.expectation_create, name="expectation_create"),
    path("expectations/<int:pk>/end/", views.expectation_end, name="expectation_end"),
]
