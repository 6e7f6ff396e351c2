"""Pages below /c/<code>/suggestions/ (namespace "suggestions"). Each action's page comes from its
`Step` (views/registry.py): `<pk>/<action>/` for a suggestion, `assignments/<pk>/<action>/` for a
unit's assignment, `<pk>/<records>/<id>/<action>/` for a record below the suggestion."""

from django.urls import path

from .views import bulk, drafting, exports, pages, printing
from .views._common import step_view
from .views.registry import STEPS

app_name = "suggestions"
urlpatterns = [
    path("", pages.suggestion_list, name="list"),
    path("todo/", pages.worklist, name="worklist"),
    path("export/", exports.suggestion_list_export, name="list_export"),
    path("todo/export/", exports.worklist_export, name="worklist_export"),
    path("new/", drafting.create, name="create"),
    path("<int:pk>/", pages.detail, name="detail"),
    path("<int:pk>/edit/", drafting.edit, name="edit"),
    path("<int:pk>/replies/<int:sub>/letter/", pages.reply_letter, name="reply_letter"),
    path("<int:pk>/print/", printing.print_suggestion, name="print"),
    path("bulk/<slug:kind>/", bulk.bulk, name="bulk"),
    path("attachments/<int:pk>/", pages.attachment_download, name="attachment"),
    *[path(step.route, step_view(step), name=step.url_name) for step in STEPS.values()],
]
