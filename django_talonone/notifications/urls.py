"""URLs of the notification endpoint; include them under a path of the shop's choice."""

from __future__ import annotations

from django.urls import path

from .views import receive

app_name = "talonone_notifications"

urlpatterns = [
    path("", receive, name="receive"),
]
