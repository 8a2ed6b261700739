"""Production configuration: docker-compose.yml is valid and `check --deploy` is clean with production values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-long-random-production-like-secret-key-0123456789abcdef",
    "DJANGO_ALLOWED_HOSTS": "wijkwerk.example",
    "POSTGRES_PASSWORD": "not-a-real-password",
}


def test_docker_compose_file_is_valid():
    result = subprocess.run(
        ["docker-compose", "config", "-q"],
        cwd=ROOT,
        env={**os.environ, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_docker_compose_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in {**os.environ, **PRODUCTION_ENV}.items() if k != "DJANGO_SECRET_KEY"}
    result = subprocess.run(["docker-compose", "config", "-q"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_settings_fail_fast_without_a_secret_key_in_production():
    env = {**os.environ, "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": ""}
    env.pop("WIJKWERK_TESTING", None)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_with_production_values():
    env = {**os.environ, **PRODUCTION_ENV}
    env.pop("WIJKWERK_TESTING", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_tests_run_with_their_own_settings():
    """pytest-django imports the settings before any conftest runs: the test settings must switch on by
    themselves, or the tests would share the development server's cache keys and Celery queue."""
    from django.conf import settings

    assert settings.CACHES["default"]["KEY_PREFIX"].startswith("test-")
    assert settings.CELERY_TASK_DEFAULT_QUEUE.startswith("test-")
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
