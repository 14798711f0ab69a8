"""Workshops, meetings and mutual-aid sessions: registrations, waitlists, check-in, calendars."""
