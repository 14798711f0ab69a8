"""Initiatives families propose: co-authors, supports, official answers."""
