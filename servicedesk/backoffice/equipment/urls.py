from django.urls import path

from servicedesk.backoffice.equipment import views

urlpatterns = [
    path("equipment/", views.equipment_list, name="equipment_list"),
    path("equipment/<int:pk>/", views.equipment_detail, name="equipment_detail"),
]
