"""The column naming the Talon.One Application a row belongs to.

It holds the name of a configured Application (``TALONONE['APPLICATIONS']``), never a key
or an id of Talon.One's: rows written before a shop had several Applications are the
default one's. Each model spells the field out (the type checker's Django plugin only
sees fields assigned directly), from these shared values.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from django_talonone.conf_applications import DEFAULT_APPLICATION

__all__ = [
    "APPLICATION_HELP",
    "APPLICATION_LABEL",
    "APPLICATION_NAME_LENGTH",
    "DEFAULT_APPLICATION",
]

#: Longest Application name (``conf_applications`` refuses longer ones).
APPLICATION_NAME_LENGTH = 32
APPLICATION_LABEL = _("Talon.One Application")
APPLICATION_HELP = _("The configured Talon.One Application this row belongs to.")
