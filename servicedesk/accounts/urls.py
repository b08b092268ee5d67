from django.urls import path

from servicedesk.accounts import views
from servicedesk.notifications.views import notification_settings

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path(
        "notifications/",
        notification_settings,
        name="notification_settings",
    ),
    path("language/", views.set_language, name="set_language"),
    path("password/required/", views.password_required, name="password_required"),
]
