"""URLs of the demo shop."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("catalog.urls")),
    path("cart/", include("cart.urls")),
    path("orders/", include("orders.urls")),
    path("accounts/", include("accounts.urls")),
    # django-talonone's REST API: GET /api/talonone/wallet/ for the signed-in shopper.
    path("api/talonone/", include("django_talonone.api.urls")),
    # Talon.One's notifications (the emulator's, in the demo): coupons, loyalty, prices.
    path("talonone/notifications/", include("django_talonone.notifications.urls")),
    path("admin/", admin.site.urls),
]
