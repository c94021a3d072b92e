"""Pytest fixtures that run the Talon.One emulator (filled in by the emulator work)."""
