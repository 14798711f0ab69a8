"""Threads and posts inside groups, reports and moderation."""
