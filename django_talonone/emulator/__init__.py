"""A local, stateful emulator of Talon.One's Integration API (no Django import)."""
