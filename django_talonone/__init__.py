"""django-talonone: Talon.One promotions for Django shops."""

__version__ = "0.1.0"
