from django.urls import path

from servicedesk.backoffice.equipment import passport, views

urlpatterns = [
    path("equipment/", views.equipment_list, name="equipment_list"),
    path("equipment/labels.pdf", passport.equipment_labels, name="equipment_labels"),
    path("equipment/<int:pk>/", views.equipment_detail, name="equipment_detail"),
    path(
        "equipment/<int:pk>/passport/rotate/",
        passport.equipment_passport_rotate,
        name="equipment_passport_rotate",
    ),
    path("equipment/<int:pk>/photo/", passport.equipment_photo, name="equipment_photo"),
    path(
        "equipment/<int:pk>/photo/upload/",
        passport.equipment_photo_upload,
        name="equipment_photo_upload",
    ),
]
