"""Pages below /c/<code>/awards/ (namespace "awards")."""

from django.urls import path

from . import views

app_name = "awards"
urlpatterns = [
    path("", views.round_list, name="list"),
    path("new/", views.round_create, name="create"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/results/export/", views.results_export, name="results_export"),
    path("<int:pk>/edit/", views.round_edit, name="edit"),
    path("<int:pk>/move/<slug:action>/", views.round_move, name="move"),
    path("<int:pk>/reopen/", views.round_reopen, name="reopen"),
    path("<int:pk>/propose/", views.propose, name="propose"),
    path("<int:pk>/criteria/add/", views.criterion_add, name="criterion_add"),
    path("<int:pk>/criteria/<int:cid>/edit/", views.criterion_edit, name="criterion_edit"),
    path("<int:pk>/criteria/<int:cid>/remove/", views.criterion_remove, name="criterion_remove"),
    path("<int:pk>/judges/add/", views.judge_add, name="judge_add"),
    path("<int:pk>/judges/<int:uid>/remove/", views.judge_remove, name="judge_remove"),
    path("<int:pk>/nominees/add/", views.nominee_add, name="nominee_add"),
    path("<int:pk>/nominees/<int:nid>/remove/", views.nominee_remove, name="nominee_remove"),
    path("<int:pk>/score/", views.score_list, name="score_list"),
    path("<int:pk>/score/<int:nid>/", views.score_nominee, name="score"),
]
