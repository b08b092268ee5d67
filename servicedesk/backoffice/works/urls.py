from django.urls import path

from servicedesk.backoffice.works import views

urlpatterns = [
    path("tickets/<str:number>/works/", views.work_list, name="ticket_works"),
    path("tickets/<str:number>/works/new/", views.work_new, name="work_new"),
    path("tickets/<str:number>/works/<int:work_id>/edit/", views.work_edit, name="work_edit"),
    path("tickets/<str:number>/works/<int:work_id>/delete/", views.work_delete, name="work_delete"),
    path(
        "tickets/<str:number>/works/<int:work_id>/photos/<int:photo_id>/",
        views.work_photo,
        name="work_photo",
    ),
]
