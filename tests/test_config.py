"""Configuration from the BRIDGE_* environment."""

from __future__ import annotations

import pytest

from bridge.config import ConfigError, load_config


def test_defaults_derive_paths_and_generate_a_lasting_secret(tmp_path):
    config = load_config({"BRIDGE_DATA_DIR": str(tmp_path)}, None)
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'bridge.db'}"
    assert config["PUBLIC_URL"] == "http://127.0.0.1:8000"
    assert len(config["SECRET_KEY"]) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert load_config({"BRIDGE_DATA_DIR": str(tmp_path)}, None)["SECRET_KEY"] == config["SECRET_KEY"]


def test_environment_values_are_typed_not_json_decoded(tmp_path):
    config = load_config(
        {"BRIDGE_DATA_DIR": str(tmp_path), "BRIDGE_PORT": "9000", "BRIDGE_BILLING": "on", "BRIDGE_SECRET_KEY": "123"},
        None,
    )
    assert config["PORT"] == 9000 and config["BILLING"] is True and config["SECRET_KEY"] == "123"


def test_bad_values_name_the_variable(tmp_path):
    with pytest.raises(ConfigError, match="BRIDGE_PORT"):
        load_config({"BRIDGE_DATA_DIR": str(tmp_path), "BRIDGE_PORT": "eighty"}, None)


def test_test_overrides_win_over_the_environment(tmp_path):
    config = load_config({"BRIDGE_DATA_DIR": str(tmp_path), "BRIDGE_PORT": "9000"}, {"PORT": 9100})
    assert config["PORT"] == 9100
