from django.urls import path

from . import views

app_name = "publication"

urlpatterns = [
    path("", views.index, name="index"),
    path("batch/", views.batch, name="batch"),
    path("figures/", views.publish_figures, name="publish_figures"),
    path("requests/<int:pk>/decide/", views.decide_request, name="decide_request"),
    path("<int:pk>/", views.review_page, name="review"),
    path("<int:pk>/withhold/", views.withhold, name="withhold"),
    path("<int:pk>/retract/", views.retract, name="retract"),
    path("<int:pk>/withhold-request/", views.request_withhold, name="request_withhold"),
]
