"""Governance: participation figures for the networks, protected so that nobody is exposed."""
