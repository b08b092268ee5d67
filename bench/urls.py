"""The product's URLs plus the benchmark's floor at /bench/floor/ (bench.settings only)."""

from django.urls import path

from bench.floor import floor
from config.urls import urlpatterns as product_urlpatterns

urlpatterns = [*product_urlpatterns, path("bench/floor/", floor, name="bench_floor")]
