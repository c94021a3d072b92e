"""A REST API for shop front-ends (Django REST framework): ``GET wallet/``.

Mount it in the shop's URLconf::

    path("api/talonone/", include("django_talonone.api.urls")),

See ``docs/wallet.md`` for the responses, permissions and throttling.
"""
