"""The asnbelajar command line (public contract)."""

from __future__ import annotations

from sqlalchemy import select

from asnbelajar.accounts.models import User
from asnbelajar.accounts.services import authenticate
from asnbelajar.accounts.sessions import user_for_token


def test_create_user_then_api_token(runner, db):
    result = runner.invoke(args=["create-user", "--email", "Panitia@Example.go.id",
                                 "--password", "panitia123", "--role", "organizer"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "panitia@example.go.id"))
    assert user.role == "organizer"
    assert authenticate("panitia@example.go.id", "panitia123") is not None

    result = runner.invoke(args=["api-token", "--email", "panitia@example.go.id"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert user_for_token(token).id == user.id


def test_create_user_refuses_duplicates_and_bad_input(runner):
    args = ["create-user", "--email", "a@example.go.id", "--password", "rahasia123"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code != 0 and "sudah terdaftar" in again.output
    short = runner.invoke(args=["create-user", "--email", "b@example.go.id",
                                "--password", "123"])
    assert short.exit_code != 0 and "minimal" in short.output
    role = runner.invoke(args=["create-user", "--email", "c@example.go.id", "--password",
                               "rahasia123", "--role", "admin"])
    assert role.exit_code != 0


def test_api_token_for_unknown_email_fails(runner):
    result = runner.invoke(args=["api-token", "--email", "nobody@example.go.id"])
    assert result.exit_code != 0 and "No user" in result.output


def test_api_token_works_against_the_api(runner, client, make_user):
    make_user("organizer", email="org@example.go.id")
    token = runner.invoke(args=["api-token", "--email", "org@example.go.id"]).output.strip()
    response = client.get("/api/v1/reports/training-rate?year=2024",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_load_instansi_reports_bad_file_cleanly(runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("nama,jenis\nx,y\n", encoding="utf-8")
    result = runner.invoke(args=["load-instansi", "--file", str(bad)])
    assert result.exit_code != 0 and "Traceback" not in result.output
