from django.urls import path

from servicedesk.web import me

app_name = "accounts"

urlpatterns = [
    path("profile/", me.profile, name="profile"),
    path("notifications/", me.notification_settings, name="notification_settings"),
    path("language/", me.set_language, name="set_language"),
    path("password/required/", me.password_required, name="password_required"),
]
