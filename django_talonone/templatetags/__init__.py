"""Template tags of django-talonone (``{% load talonone %}``)."""
