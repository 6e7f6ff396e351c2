from django.urls import path

from . import routing_views, views

app_name = "textsearch"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("similar/", views.similar_draft, name="similar"),
    path("similar/<int:pk>/", views.similar_to, name="similar_to"),
    path("route/<int:pk>/", routing_views.routing_panel, name="routing_panel"),
]
