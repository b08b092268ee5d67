from django.urls import path

from servicedesk.backoffice.people import actions, api_tokens, audit, edit, views

urlpatterns = [
    path("people/", views.people_list, name="people"),
    path("people/new/", edit.person_new, name="person_new"),
    path("people/scope-options/", views.scope_options, name="membership_scope_options"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", edit.person_edit, name="person_edit"),
    path("people/<int:pk>/invite/", actions.person_invite, name="person_invite"),
    path(
        "people/<int:pk>/temporary-password/",
        actions.person_temporary_password,
        name="person_temporary_password",
    ),
    path("people/<int:pk>/deactivate/", actions.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", actions.person_reactivate, name="person_reactivate"),
    path("people/<int:pk>/convert/", actions.person_convert, name="person_convert"),
    path("people/<int:pk>/role/", actions.person_role, name="person_role"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("api-tokens/", api_tokens.api_token_list, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", api_tokens.api_token_revoke, name="api_token_revoke"),
]
