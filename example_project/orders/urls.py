"""Order URLs."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("checkout/", views.checkout_view, name="checkout"),
    path("<int:order_id>/", views.order_detail, name="detail"),
]
