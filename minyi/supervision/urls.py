from django.urls import path

from . import calendar_views, exports, views

app_name = "supervision"
urlpatterns = [
    path("", views.board, name="board"),
    path("export/", exports.board_export, name="board_export"),
    path("extensions/<int:pk>/decide/", views.decide_extension, name="decide_extension"),
    path("reassignments/<int:pk>/decide/", views.decide_reassignment, name="decide_reassignment"),
    path("deadline/<int:pk>/", views.deadline_detail, name="deadline_detail"),
    path("recalculate/", views.recalculate, name="recalculate"),
    # the congress's own local closures (typhoon days …) and the deadlines they move
    path("closures/", calendar_views.local_closures, name="closures"),
    path("closures/remove/", calendar_views.remove_local_closure, name="closures_remove"),
    path("closures/recompute/", calendar_views.closures_recompute, name="closures_recompute"),
    # one suggestion under supervision
    path("suggestions/<int:pk>/", views.suggestion_detail, name="suggestion_detail"),
    path(
        "suggestions/<int:pk>/records/new/", views.suggestion_record_create, name="suggestion_record_create"
    ),
    path("suggestions/<int:pk>/instructions/new/", views.instruction_create, name="instruction_create"),
    path("suggestions/<int:pk>/inspections/new/", views.inspection_create, name="inspection_create"),
    # key themes (重点督办)
    path("themes/", views.theme_list, name="theme_list"),
    path("themes/new/", views.theme_create, name="theme_create"),
    path("themes/<int:pk>/", views.theme_detail, name="theme_detail"),
    path("themes/<int:pk>/export/", exports.theme_export, name="theme_export"),
    path("themes/<int:pk>/edit/", views.theme_edit, name="theme_edit"),
    path("themes/<int:pk>/suggestions/add/", views.theme_add_suggestion, name="theme_add_suggestion"),
    path(
        "themes/<int:pk>/suggestions/<int:suggestion_pk>/remove/",
        views.theme_remove_suggestion,
        name="theme_remove_suggestion",
    ),
    path("themes/<int:pk>/records/new/", views.theme_record_create, name="theme_record_create"),
    # supervision records
    path("records/<int:pk>/", views.record_detail, name="record_detail"),
    path("records/files/<int:pk>/", views.record_attachment, name="record_attachment"),
    # leader instructions (批示) and the inspection office
    path("instructions/", views.instruction_list, name="instruction_list"),
    path("instructions/export/", exports.instruction_list_export, name="instruction_list_export"),
    path("instructions/<int:pk>/", views.instruction_detail, name="instruction_detail"),
    path(
        "instructions/<int:pk>/records/new/",
        views.instruction_record_create,
        name="instruction_record_create",
    ),
    # the task force (督导专班) and its inspections
    path("task-force/", views.task_force, name="task_force"),
    path("task-force/<int:pk>/remove/", views.task_force_remove, name="task_force_remove"),
    path("inspections/export/", exports.inspection_list_export, name="inspection_list_export"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
]
