"""The bare Django views the benchmark compares every page with."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def baseline(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@login_required
def shell(request: HttpRequest) -> HttpResponse:
    """The layout every page shares (menu, its role and unread-count queries) around an
    empty content: the floor under which no page of Tremplin can go."""
    return render(request, "benchmarks/shell.html")
