"""Ready-made connections of django-talonone to e-commerce frameworks."""
