"""The endpoint Talon.One pushes its notifications and triggered webhooks to.

Include its URLs in the shop's URLconf::

    path("talonone/notifications/", include("django_talonone.notifications.urls")),

and give Talon.One one of ``TALONONE["NOTIFICATION_SECRETS"]`` as the webhook's basic
auth password or in the ``NOTIFICATION_HEADER`` header (``docs/notifications.md``).
"""
