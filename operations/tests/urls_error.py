"""The project's URLs plus one view that fails, to see the headers of the error page."""

from django.urls import path

from mall.urls import urlpatterns as project_urls


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("ops-test/broken/", broken), *project_urls]
