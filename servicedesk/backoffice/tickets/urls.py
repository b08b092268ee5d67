from django.urls import path

from servicedesk.backoffice.tickets import views

urlpatterns = [
    path("tickets/new/", views.ticket_new, name="ticket_new"),
    path("tickets/new/options/", views.ticket_form_options, name="ticket_form_options"),
    path("tickets/products/", views.product_search, name="product_search"),
    path("tickets/<str:number>/created/", views.ticket_created, name="ticket_created"),
]
