"""Talon.One Integration API client (no Django import)."""
