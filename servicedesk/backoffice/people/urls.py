from django.urls import path

from servicedesk.backoffice.people import views

urlpatterns = [
    path("people/", views.people_list, name="people"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/scope-options/", views.scope_options, name="membership_scope_options"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/invite/", views.person_invite, name="person_invite"),
    path(
        "people/<int:pk>/temporary-password/",
        views.person_temporary_password,
        name="person_temporary_password",
    ),
    path("people/<int:pk>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", views.person_reactivate, name="person_reactivate"),
    path("people/<int:pk>/convert/", views.person_convert, name="person_convert"),
    path("people/<int:pk>/role/", views.person_role, name="person_role"),
    path("audit/", views.audit_log, name="audit_log"),
]
