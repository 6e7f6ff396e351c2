from django.urls import path

from . import views

app_name = "workdays"
urlpatterns = [
    path("", views.year_list, name="years"),
    path("<int:year>/", views.year_detail, name="year"),
    path("<int:year>/day/", views.set_day, name="set_day"),
    path("<int:year>/day/remove/", views.remove_day, name="remove_day"),
    path("<int:year>/complete/", views.mark_complete, name="mark_complete"),
]
