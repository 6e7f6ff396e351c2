"""Account pages of a congress's admins, below /c/<code>/accounts/."""

from django.urls import path

from . import views

app_name = "accounts_congress"
urlpatterns = [
    path("<int:pk>/password-link/", views.password_link, name="password_link"),
    path("locked/", views.locked, name="locked"),
    path("locked/<int:pk>/unlock/", views.unlock, name="unlock"),
]
