from django.urls import path

from servicedesk.portal.equipment import views

urlpatterns = [
    path("equipment/<int:pk>/", views.equipment_detail, name="equipment_detail"),
]
