from django.urls import path

from servicedesk.backoffice.imports import views

urlpatterns = [
    path("people/import/", views.people_import, name="people_import"),
    path("people/import/apply/", views.people_import_apply, name="people_import_apply"),
    path("people/import/done/", views.people_import_done, name="people_import_done"),
    path("people/import/template/", views.people_import_template, name="people_import_template"),
    path("people/export/", views.people_export, name="people_export"),
]
