"""Client secret regeneration through the API and the CLI."""

from __future__ import annotations


def _token_request(client, client_id, secret):
    return client.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )


def test_credentials_show_the_client_id_but_never_the_secret(client, auth):
    account = auth.account()
    body = client.get("/v1/account/credentials", headers=account.headers).json
    assert body["client_id"] == account.client_id and body["client_secret"] is None


def test_regenerating_kills_the_old_secret_and_its_tokens(client, auth):
    account = auth.account()
    old_token = account.token
    response = client.post("/v1/account/credentials/regenerate", headers=account.headers)
    assert response.status_code == 200
    new_secret = response.json["client_secret"]
    assert new_secret != account.client_secret
    assert client.get("/v1/account", headers={"Authorization": f"Bearer {old_token}"}).status_code == 401
    assert _token_request(client, account.client_id, account.client_secret).status_code == 401
    fresh = _token_request(client, account.client_id, new_secret)
    assert fresh.status_code == 200
    assert (
        client.get("/v1/account", headers={"Authorization": f"Bearer {fresh.json['access_token']}"}).status_code == 200
    )


def test_regenerating_leaves_other_accounts_alone(client, auth):
    first, second = auth.account(), auth.account()
    client.post("/v1/account/credentials/regenerate", headers=first.headers)
    assert client.get("/v1/account", headers=second.headers).status_code == 200


def test_owner_user_may_regenerate_with_a_login_token(client, auth):
    account = auth.account()
    user_token = auth.login_token(account)
    response = client.post("/v1/account/credentials/regenerate", headers={"Authorization": f"Bearer {user_token}"})
    assert response.status_code == 200
    assert client.get("/v1/account", headers=account.headers).status_code == 401


def test_cli_create_account_prints_working_credentials(client, runner):
    result = runner.invoke(
        args=[
            "bridge",
            "create-account",
            "--name",
            "CLI Shop",
            "--email",
            "cli@shop.test",
            "--password",
            "correct horse battery",
        ]
    )
    assert result.exit_code == 0, result.output
    values = dict(line.split(":", 1) for line in result.output.splitlines() if line.startswith("client_"))
    response = _token_request(client, values["client_id"].strip(), values["client_secret"].strip())
    assert response.status_code == 200, "CLI accounts are verified and usable at once"


def test_cli_create_account_reports_bad_input(runner):
    result = runner.invoke(
        args=["bridge", "create-account", "--name", "X", "--email", "x@shop.test", "--password", "short"]
    )
    assert result.exit_code != 0 and "password" in result.output


def test_cli_regenerate_secret(client, runner, auth):
    account = auth.account()
    result = runner.invoke(args=["bridge", "regenerate-secret", "--email", account.email])
    assert result.exit_code == 0, result.output
    new_secret = result.output.split("client_secret:")[1].strip()
    assert client.get("/v1/account", headers=account.headers).status_code == 401
    assert _token_request(client, account.client_id, new_secret).status_code == 200
    unknown = runner.invoke(args=["bridge", "regenerate-secret", "--client-id", "bc_nope"])
    assert unknown.exit_code != 0 and "No account" in unknown.output
