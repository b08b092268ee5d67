from django.urls import path

from servicedesk.backoffice.access_requests import views

urlpatterns = [
    path("access-requests/", views.access_request_list, name="access_requests"),
    path("access-requests/<int:pk>/", views.access_request_detail, name="access_request_detail"),
]
