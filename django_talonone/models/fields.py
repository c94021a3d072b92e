"""The column naming the Talon.One Application a row belongs to.

It holds the name of a configured Application (``TALONONE['APPLICATIONS']``), never a key
or an id of Talon.One's: renaming an Application in Talon.One changes nothing here, and
rows written before a shop had several Applications are the default one's.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from django_talonone.conf_applications import DEFAULT_APPLICATION

#: Longest Application name (``conf_applications`` refuses longer ones).
APPLICATION_NAME_LENGTH = 32


def application_field() -> models.CharField[str, str]:
    return models.CharField(
        _("Talon.One Application"),
        max_length=APPLICATION_NAME_LENGTH,
        default=DEFAULT_APPLICATION,
        help_text=_("The configured Talon.One Application this row belongs to."),
    )
