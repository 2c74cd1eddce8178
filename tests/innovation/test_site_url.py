"""`make run PORT=8080`: the web server listens there, and web, worker and beat get the
SITE_URL of that port; links in mails are made from SITE_URL, never from the Host header."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from honcho.environ import expand_processes, parse_procfile

from innovation.platform import outbox
from tests.factories import AgentFactory

ROOT = Path(__file__).resolve().parents[2]
RESET_LINK = re.compile(r"(https?://[^/\s]+)/mot-de-passe/nouveau/")


def make_run(*arguments: str, **environment: str) -> subprocess.CompletedProcess:
    """What `make run` would do, printed and not done (`make -n`)."""
    env = {key: value for key, value in os.environ.items() if key not in {"PORT", "SITE_URL"}}
    return subprocess.run(
        ["make", "--no-print-directory", "-n", "run", *arguments],
        cwd=ROOT,
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


def line_of(output: str, word: str) -> str:
    (line,) = [line for line in output.splitlines() if word in line]
    return line


def test_make_run_on_another_port_serves_there_with_the_matching_site_url():
    output = make_run("PORT=8080").stdout

    honcho = line_of(output, "honcho start")
    assert honcho.startswith('SITE_URL="http://127.0.0.1:8080" ')
    assert honcho.endswith(" -p 8080")
    assert line_of(output, "seed_demo").startswith('SITE_URL="http://127.0.0.1:8080" ')
    assert line_of(output, "Tremplin :") == (
        'echo "Tremplin : http://127.0.0.1:8080/ (Ctrl-C pour arrêter)"'
    )


def test_make_run_without_a_port_keeps_8000():
    output = make_run().stdout

    assert line_of(output, "honcho start").startswith('SITE_URL="http://127.0.0.1:8000" ')
    assert line_of(output, "honcho start").endswith(" -p 8000")


def test_make_run_keeps_a_site_url_set_by_hand():
    output = make_run("PORT=8080", SITE_URL="https://tremplin.example.fr").stdout

    assert line_of(output, "honcho start").startswith('SITE_URL="https://tremplin.example.fr" ')
    assert line_of(output, "honcho start").endswith(" -p 8080")


def test_make_run_refuses_a_port_that_is_not_a_number():
    result = make_run("PORT=80a")

    assert result.returncode != 0
    assert "PORT doit être un numéro de port (par exemple 8080), pas « 80a »" in result.stderr


def test_procfile_web_listens_on_the_port_honcho_gives_it():
    processes = parse_procfile((ROOT / "Procfile").read_text()).processes
    # What `honcho start -p 8080` hands each process; its shell expands the command.
    by_name = {p.name: p for p in expand_processes(processes, port=8080, env={})}
    web = by_name["web.1"]

    expanded = subprocess.run(
        ["sh", "-c", f'set -- {web.cmd}; echo "$@"'],
        env={"PATH": os.environ["PATH"], **web.env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()

    assert expanded == "python manage.py runserver 127.0.0.1:8080"
    assert set(by_name) == {"web.1", "worker.1", "beat.1"}


@pytest.mark.django_db
def test_reset_link_uses_the_site_url_port_even_with_a_forged_host(
    client, settings, mailoutbox_clear
):
    settings.SITE_URL = "http://127.0.0.1:8080"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
    person = AgentFactory()

    client.post(reverse("password_reset"), {"email": person.email}, HTTP_HOST="127.0.0.1:6666")
    outbox.send_due()

    (message,) = mail.outbox
    assert RESET_LINK.search(message.body).group(1) == "http://127.0.0.1:8080"
    assert "6666" not in message.body
