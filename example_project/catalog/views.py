"""The catalogue page: products on sale, optionally of one category."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Category, Product


def product_list(request: HttpRequest) -> HttpResponse:
    products = Product.objects.filter(is_active=True).select_related("category")
    current = request.GET.get("category", "")
    if current:
        products = products.filter(category__slug=current)
    return render(
        request,
        "catalog/product_list.html",
        {"products": products, "categories": Category.objects.all(), "current": current},
    )
