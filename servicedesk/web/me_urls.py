from django.urls import path

from servicedesk.web import api_tokens, me

app_name = "accounts"

urlpatterns = [
    path("profile/", me.profile, name="profile"),
    path("notifications/", me.notification_settings, name="notification_settings"),
    path("api-tokens/", api_tokens.api_tokens, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", api_tokens.api_token_revoke_view, name="api_token_revoke"),
    path("language/", me.set_language, name="set_language"),
    path("password/required/", me.password_required, name="password_required"),
]
