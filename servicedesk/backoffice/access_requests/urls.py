from django.urls import path

from servicedesk.backoffice.access_requests import views

urlpatterns = [
    path("access-requests/", views.access_request_list, name="access_requests"),
    path("access-requests/<int:pk>/", views.access_request_detail, name="access_request_detail"),
    path(
        "access-requests/<int:pk>/approve/",
        views.access_request_approve_view,
        name="access_request_approve",
    ),
    path(
        "access-requests/<int:pk>/reject/",
        views.access_request_reject_view,
        name="access_request_reject",
    ),
    path(
        "access-requests/<int:pk>/scope-options/",
        views.access_request_scope_options,
        name="access_request_scope_options",
    ),
]
