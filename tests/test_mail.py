"""Verification mail through a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import re

from bridge import create_app
from tests.conftest import PASSWORD, app_settings


def test_verification_mail_reaches_smtp_and_its_link_works(tmp_path, smtp_sink):
    app = create_app(app_settings(tmp_path, SMTP_URL=smtp_sink.url))
    client = app.test_client()
    registered = client.post(
        "/register", json={"client_name": "Mail Shop", "email": "m@shop.test", "password": PASSWORD}
    ).json
    [message] = smtp_sink.messages
    assert message["To"] == "m@shop.test" and "Mail Shop" in message["Subject"]
    link = re.search(r"http://bridge\.test(/verify\?token=[\w-]+)", message.get_payload(decode=True).decode()).group(1)
    assert client.get(link).status_code == 200
    token = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": registered["client_id"],
            "client_secret": registered["client_secret"],
        },
    )
    assert token.status_code == 200
    assert not (tmp_path / "outbox").exists(), "with SMTP configured nothing goes to the outbox"
    app.extensions["bridge"].close()
