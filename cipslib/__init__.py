"""cipslib."""
