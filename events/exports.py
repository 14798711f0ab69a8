"""The attendance list as a spreadsheet, for facilitators' reports to the network."""
from __future__ import annotations

import csv
import io

from flask import Response
from flask_babel import gettext as _

from events.models import Event, Registration

# A cell starting with one of these is a formula to Excel and LibreOffice: a nickname like
# "=HYPERLINK(...)" must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def attendance_csv(event: Event, rows: list[tuple[Registration, str]]) -> Response:
    out = io.StringIO()
    # The byte-order mark makes Excel read UTF-8, so Arabic and Chinese nicknames stay readable.
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_("Nickname"), _("Adults"), _("Children"), _("Status"), _("Code"), _("Attendance")])
    for registration, nickname in rows:
        writer.writerow([_cell(value) for value in (
            nickname, registration.adults, registration.children, registration.status.value,
            registration.code, registration.attendance.value if registration.attendance else "")])
    filename = f"cortile-event-{event.id}-attendance.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
