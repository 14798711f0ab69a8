"""Moments in a group's life that feature packages act on. `portal` imports none of them
(dependencies point one way), so a feature subscribes here when its blueprint is registered, with
its own app as the sender, and the groups service only announces.

Receivers run inside the announcing transaction: what they change commits or rolls back with it,
and a receiver that takes row locks takes them after the group's.
"""
from __future__ import annotations

from blinker import Namespace

_moments = Namespace()

# Sent by groups.service.ban once the membership says banned; keyword arguments: group, person,
# actor. The events package ends the person's registrations for the group's coming events.
member_banned = _moments.signal("member-banned")
