from django.urls import path

from servicedesk.backoffice.knowledge import views

urlpatterns = [
    path("kb/", views.kb_list, name="kb"),
    path("kb/new/", views.kb_new, name="kb_new"),
    path("kb/preview/", views.kb_preview, name="kb_preview"),
    path("kb/pick/", views.kb_pick, name="kb_pick"),
    path("kb/report/", views.kb_report, name="kb_report"),
    path("kb/categories/", views.kb_categories, name="kb_categories"),
    path("kb/categories/new/", views.kb_category_new, name="kb_category_new"),
    path("kb/categories/<int:pk>/", views.kb_category_edit, name="kb_category_edit"),
    path("kb/categories/<int:pk>/delete/", views.kb_category_delete, name="kb_category_delete"),
    path("kb/<int:pk>/", views.kb_detail, name="kb_detail"),
    path("kb/<int:pk>/edit/", views.kb_edit, name="kb_edit"),
    path("kb/<int:pk>/upload/", views.kb_upload, name="kb_upload"),
    path("kb/<int:pk>/files/", views.kb_file_add, name="kb_file_add"),
    path("kb/<int:pk>/files/<int:file_pk>/delete/", views.kb_file_delete, name="kb_file_delete"),
    path("kb/<int:pk>/delete/", views.kb_delete, name="kb_delete"),
    path("kb/<int:pk>/versions/", views.kb_versions, name="kb_versions"),
    path("kb/<int:pk>/versions/<int:number>/", views.kb_version, name="kb_version"),
    path(
        "kb/<int:pk>/versions/<int:number>/restore/",
        views.kb_version_restore,
        name="kb_version_restore",
    ),
    path("kb/<int:pk>/<str:action>/", views.kb_status, name="kb_status"),
]
