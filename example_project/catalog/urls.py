"""Catalogue URLs."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [path("", views.product_list, name="products")]
