"""Cart URLs."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "cart"
urlpatterns = [
    path("", views.cart_detail, name="detail"),
    path("add/<int:product_id>/", views.add, name="add"),
    path("lines/<int:line_id>/", views.update_line, name="update_line"),
    path("coupons/", views.add_coupon, name="add_coupon"),
    path("coupons/remove/", views.remove_coupon, name="remove_coupon"),
    path("referral/", views.set_referral, name="referral"),
    path("currency/", views.set_currency, name="currency"),
    path("points/", views.use_points, name="points"),
]
