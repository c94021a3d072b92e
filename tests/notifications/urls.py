"""A shop URLconf that routes the notification endpoint (and the admin, for its tests)."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("talonone/notifications/", include("django_talonone.notifications.urls")),
]
