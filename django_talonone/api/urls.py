"""URLs of the API; include them under a prefix of the shop's choosing::

path("api/talonone/", include("django_talonone.api.urls")),
"""

from __future__ import annotations

from django.urls import path

from .views import WalletView

app_name = "django_talonone_api"

urlpatterns = [
    path("wallet/", WalletView.as_view(), name="wallet"),
]
