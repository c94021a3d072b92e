"""URLs of the test project: the admin (for the admin tests) and the app's API."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/talonone/", include("django_talonone.api.urls")),
]
