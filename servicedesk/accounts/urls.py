from django.urls import path

from servicedesk.accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("language/", views.set_language, name="set_language"),
    path("password/required/", views.password_required, name="password_required"),
]
