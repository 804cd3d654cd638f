"""The settings as a fresh clone and a production server meet them."""

import os
import secrets
import subprocess
import sys

from tongxing import personal_data


def run_tongxing(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | env
    return subprocess.run(
        [sys.executable, "-m", "tongxing", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = run_tongxing(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="tongxing.example.org",
        TONGXING_HTTPS="true",
        TONGXING_DATA_KEY=personal_data.new_key(),
        TONGXING_INDEX_KEY=personal_data.new_key(),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_wants_the_personal_data_key_in_the_environment():
    result = run_tongxing(
        "check",
        "--deploy",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="tongxing.example.org",
        TONGXING_HTTPS="true",
        TONGXING_DATA_KEY="",
    )
    assert result.returncode != 0
    assert "tongxing.E001" in result.stderr


def test_the_deploy_check_wants_the_index_key_in_the_environment():
    result = run_tongxing(
        "check",
        "--deploy",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="tongxing.example.org",
        TONGXING_HTTPS="true",
        TONGXING_DATA_KEY=personal_data.new_key(),
        TONGXING_INDEX_KEY="",
    )
    assert result.returncode != 0
    assert "tongxing.E003" in result.stderr
    assert "tongxing datakey index-key" in result.stderr


def test_the_demo_key_fails_the_deploy_check():
    result = run_tongxing("check", "--deploy", "--fail-level", "WARNING", TONGXING_HTTPS="true")
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], "
        "connection.settings_dict['OPTIONS']['transaction_mode'], "
        "c.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    result = run_tongxing(
        "shell", "--verbosity", "0", "-c", code, DATABASE_URL=f"sqlite:///{tmp_path}/t.sqlite3"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "IMMEDIATE", "20000"]
