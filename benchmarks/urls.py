"""Every URL of Tremplin, plus the benchmark's bare baseline view and layout."""

from django.urls import path

from benchmarks.views import baseline, shell
from innovation.urls import handler500, urlpatterns

__all__ = ["handler500", "urlpatterns"]

urlpatterns = [
    *urlpatterns,
    path("bench/baseline/", baseline),
    path("bench/shell/", shell),
]
