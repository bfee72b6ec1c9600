"""Outgoing mail: SMTP when ``BRIDGE_SMTP_URL`` is set, else .eml files in the outbox.

The outbox fallback lets a fresh install verify accounts without any mail server:
the operator opens the newest file in ``$BRIDGE_DATA_DIR/outbox/`` (the log line
names it) and follows the link.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bridge.db import utcnow

log = logging.getLogger(__name__)
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates" / "emails"


class Mailer:
    def __init__(self, smtp_url: str | None, outbox_dir: str | Path, sender: str):
        self._smtp_url = smtp_url
        self._outbox = Path(outbox_dir)
        self._sender = sender
        self._templates = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR), undefined=StrictUndefined, autoescape=False
        )

    def send_template(self, to: str, template: str, **context: object) -> None:
        """Render ``emails/<template>.txt`` (first line is the subject) and send it."""
        subject, _, body = self._templates.get_template(f"{template}.txt").render(**context).partition("\n")
        self.send(to, subject.strip(), body.lstrip("\n"))

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = utcnow().strftime("%a, %d %b %Y %H:%M:%S +0000")
        message["Message-ID"] = make_msgid(domain="bridge.local")
        message.set_content(body)
        if self._smtp_url:
            self._send_smtp(message)
        else:
            self._write_outbox(message)

    def _send_smtp(self, message: EmailMessage) -> None:
        url = urlsplit(self._smtp_url)
        options = {key: values[-1] for key, values in parse_qs(url.query).items()}
        port = url.port or (465 if url.scheme == "smtps" else 25)
        if url.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                url.hostname, port, timeout=15, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(url.hostname, port, timeout=15)
        with client:
            if url.scheme == "smtp" and options.get("starttls", "").lower() in {"1", "true", "yes"}:
                client.starttls(context=ssl.create_default_context())
            if url.username:
                client.login(unquote(url.username), unquote(url.password or ""))
            client.send_message(message)
        log.info("mail sent via SMTP to=%s subject=%r", message["To"], message["Subject"])

    def _write_outbox(self, message: EmailMessage) -> None:
        self._outbox.mkdir(parents=True, exist_ok=True)
        name = f"{utcnow().strftime('%Y%m%dT%H%M%S%f')}-{message['Message-ID'].strip('<>').split('@')[0]}.eml"
        path = self._outbox / name
        path.write_bytes(bytes(message))
        log.info(
            "mail written to outbox (no BRIDGE_SMTP_URL) to=%s subject=%r file=%s",
            message["To"],
            message["Subject"],
            path,
        )
