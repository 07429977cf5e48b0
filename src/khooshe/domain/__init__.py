"""Entities, codes and validation schemas (no I/O)."""
