"""Outgoing mail. Without MAIL_SERVER (development) the message is written to the log instead."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


def send_mail(to: str, subject: str, body: str) -> None:
    config = current_app.config
    if not config["MAIL_SERVER"]:
        # Plain text, not the MIME encoding, so a developer can copy a link from the log.
        current_app.logger.info("Mail not sent (no MAIL_SERVER set). To: %s\nSubject: %s\n\n%s",
                                to, subject, body)
        return
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
