"""The knowledge base's public pages (no sign-in), its files, and the sitemap."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from servicedesk.web import knowledge as views

app_name = "kb"

urlpatterns = [
    path("kb/", views.public_index, name="index"),
    path("kb/<int:pk>/", views.public_article, name="article"),
    path("kb/<int:pk>/feedback/", views.public_feedback, name="feedback"),
    path("kb/files/<int:pk>/", views.article_file, name="file"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": views.SITEMAPS},
        name="sitemap",
    ),
]
