"""conditions package."""
