"""The production settings pass Django's deployment checklist, and refuse to start without a key.

Each case runs `manage.py` in a fresh process with a production-like environment (not the test
settings), exactly as an operator would.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py with only the given settings variables (plus what a process needs to run)."""
    base = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    full_env = {
        **base,
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # A throwaway SQLite file: the check must not depend on (or touch) a developer's database.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**overrides: str) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),  # 86 random characters
        "ALLOWED_HOSTS": "minyi.example.org",
        **overrides,
    }


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "check_id"),
    [
        pytest.param({"SECRET_KEY": "short-and-weak"}, "security.W009", id="weak-key"),
        pytest.param({"DEBUG": "1"}, "security.W018", id="debug-on"),
        pytest.param({"SECURE_SSL_REDIRECT": "0"}, "security.W008", id="no-https-redirect"),
        pytest.param({"SECURE_COOKIES": "0"}, "security.W012", id="insecure-cookies"),
    ],
)
def test_the_deploy_check_catches_unsafe_settings(tmp_path, overrides, check_id):
    """The check above is meaningful: weakening one setting makes it fail."""
    env = production_env(**overrides)
    result = manage("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, **env)
    assert result.returncode != 0
    assert check_id in result.stdout + result.stderr


def test_settings_refuse_to_load_without_a_secret_key_when_debug_is_off(tmp_path):
    # An empty value (rather than an unset one) also wins over a developer's .env file.
    result = manage("check", tmp_path=tmp_path, **production_env(SECRET_KEY=""))
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_debug_mode_runs_with_the_development_key(tmp_path):
    result = manage("check", tmp_path=tmp_path, DEBUG="1")
    assert result.returncode == 0, result.stdout + result.stderr
