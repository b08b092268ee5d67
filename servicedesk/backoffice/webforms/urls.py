from django.urls import path

from servicedesk.backoffice.webforms import views

urlpatterns = [
    path("webforms/", views.webform_list, name="webforms"),
    path("webforms/new/", views.webform_new, name="webform_new"),
    path("webforms/preview/", views.webform_preview, name="webform_preview"),
    path("webforms/<int:pk>/", views.webform_edit, name="webform_edit"),
]
