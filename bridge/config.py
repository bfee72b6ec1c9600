"""Configuration: defaults, then ``BRIDGE_*`` environment, then test overrides.

Environment values are read explicitly, one name at a time, instead of through
``Config.from_prefixed_env``: that helper JSON-decodes values and splits keys on
``__``, which turns a password like ``123`` into an int and surprises operators.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# Environment variable -> config key. Every operator-facing knob is listed here.
ENVIRONMENT = {
    "BRIDGE_HOST": "HOST",
    "BRIDGE_PORT": "PORT",
    "BRIDGE_DATA_DIR": "DATA_DIR",
    "BRIDGE_DATABASE_URL": "DATABASE_URL",
    "BRIDGE_CHROMA_URL": "CHROMA_URL",
    "BRIDGE_CLIP_MODEL": "CLIP_MODEL",
    "BRIDGE_CLIP_PRETRAINED": "CLIP_PRETRAINED",
    "BRIDGE_TEXT_MODEL": "TEXT_MODEL",
    "BRIDGE_SMTP_URL": "SMTP_URL",
    "BRIDGE_MAIL_FROM": "MAIL_FROM",
    "BRIDGE_PUBLIC_URL": "PUBLIC_URL",
    "BRIDGE_SECRET_KEY": "SECRET_KEY",
    "BRIDGE_ALLOW_PRIVATE_URLS": "ALLOW_PRIVATE_URLS",
    "BRIDGE_REDIS_URL": "REDIS_URL",
    "BRIDGE_STRIPE_SECRET_KEY": "STRIPE_SECRET_KEY",
    "BRIDGE_STRIPE_WEBHOOK_SECRET": "STRIPE_WEBHOOK_SECRET",
    "BRIDGE_STRIPE_API_BASE": "STRIPE_API_BASE",
    "BRIDGE_BILLING": "BILLING",
    "BRIDGE_MAX_BODY_BYTES": "MAX_CONTENT_LENGTH",
    "BRIDGE_SCHEDULER": "SCHEDULER",
    "BRIDGE_CONNECTORS_DISABLED": "CONNECTORS_DISABLED",
}

BOOLEAN_KEYS = {"ALLOW_PRIVATE_URLS", "BILLING", "SCHEDULER"}
LIST_KEYS = {"CONNECTORS_DISABLED"}  # comma-separated
INTEGER_KEYS = {"PORT", "MAX_CONTENT_LENGTH"}

DEFAULTS: dict[str, Any] = {
    "HOST": "127.0.0.1",
    "PORT": 8000,
    "DATA_DIR": "var",
    "DATABASE_URL": None,  # derived: sqlite file in DATA_DIR
    "CHROMA_URL": None,
    "CLIP_MODEL": "ViT-B-32",
    "CLIP_PRETRAINED": "laion2b_s34b_b79k",
    "TEXT_MODEL": "all-MiniLM-L6-v2",
    "SMTP_URL": None,
    "MAIL_FROM": "Bridge <no-reply@localhost>",
    "PUBLIC_URL": None,  # derived: http://HOST:PORT
    "SECRET_KEY": None,  # derived: generated once, kept in DATA_DIR
    "ALLOW_PRIVATE_URLS": False,
    "REDIS_URL": None,
    "STRIPE_SECRET_KEY": None,
    "STRIPE_WEBHOOK_SECRET": None,
    "STRIPE_API_BASE": None,
    "BILLING": False,
    # 16 MiB: room for a phone photo upload, small enough to refuse abuse early.
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "ACCESS_TOKEN_TTL": 3600,
    "VERIFICATION_TTL": 48 * 3600,
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_FAILURE_WINDOW": 15 * 60,
    # argon2id cost; tests lower it, production keeps the library's defaults.
    "PASSWORD_HASH_TIME_COST": 3,
    "PASSWORD_HASH_MEMORY_COST": 65536,
    "RUN_MIGRATIONS": False,
    # The in-process sync scheduler under `make run`; off where `flask bridge scheduler` runs it.
    "SCHEDULER": True,
    "CONNECTORS_DISABLED": (),  # platform names, e.g. "cscart,file"
}


class ConfigError(ValueError):
    """A configuration value cannot be used; the message names the variable."""


def load_config(environ: Mapping[str, str], test_config: Mapping[str, Any] | None) -> dict[str, Any]:
    """Merge defaults, environment and overrides, then derive the dependent values."""
    config = dict(DEFAULTS)
    for variable, key in ENVIRONMENT.items():
        if variable in environ and environ[variable] != "":
            config[key] = _coerce(variable, key, environ[variable])
    config.update(test_config or {})
    return _derive(config)


def _coerce(variable: str, key: str, raw: str) -> Any:
    if key in BOOLEAN_KEYS:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{variable} must be on/off (or true/false), got {raw!r}")
    if key in LIST_KEYS:
        return [item.strip() for item in raw.split(",") if item.strip()]
    if key in INTEGER_KEYS:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{variable} must be an integer, got {raw!r}") from None
    return raw


def _derive(config: dict[str, Any]) -> dict[str, Any]:
    data_dir = Path(config["DATA_DIR"]).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    config["DATA_DIR"] = str(data_dir)
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{data_dir / 'bridge.db'}"
    if not config["PUBLIC_URL"]:
        config["PUBLIC_URL"] = f"http://{config['HOST']}:{config['PORT']}"
    config["PUBLIC_URL"] = config["PUBLIC_URL"].rstrip("/")
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _persistent_secret_key(data_dir)
    return config


def _persistent_secret_key(data_dir: Path) -> str:
    """Generate the secret key once and keep it, so tokens survive restarts."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race; use its key
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
