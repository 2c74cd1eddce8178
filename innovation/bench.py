"""The bare Django view the benchmark compares every page with (only under settings_bench)."""

from django.http import HttpRequest, HttpResponse


def baseline(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
