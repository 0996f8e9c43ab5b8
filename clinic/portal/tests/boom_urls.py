"""A URLconf whose only view fails, to show the 500 page."""

from django.urls import path


def boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", boom)]
