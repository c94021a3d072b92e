"""Sign in and out with Django's own views; the shopper's wallet."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/invite/", views.invite, name="invite"),
]
