"""Production mode over HTTPS, as docker-compose.yml runs it: nginx terminating TLS in front
of gunicorn with `innovation.settings_production`.

The proxy is Debian's nginx running `deploy/nginx/tremplin.conf.template` — the very file the
compose `proxy` service uses — filled in the way the nginx image does (`${NAME}` from its
environment, nginx's own `$variables` untouched), with a throwaway self-signed certificate.
Gunicorn runs the production settings on this test's database. Checked from outside, over
real sockets: plain HTTP only redirects; over HTTPS the security headers (HSTS, CSP,
nosniff, frame and referrer policies) and the Secure / HttpOnly / SameSite cookies of a real
login; the forwarded-protocol header is trusted only as the proxy sets it (a client claiming
HTTPS over plain HTTP gets the redirect, and gunicorn reached directly is not fooled into
serving a page as secure unless the header says so, which only the proxy can); the client
address in the audit trail is the one nginx saw, not a forged X-Forwarded-For.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from innovation.platform.models import AuditEvent
from tests.factories import AgentFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)
TEMPLATE = ROOT / "deploy" / "nginx" / "tremplin.conf.template"
HOST = "tremplin.test"
PASSWORD = "un mot de passe assez long"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"port {port} never opened")


def fill_in(template: str, values: dict[str, str]) -> str:
    """What the nginx image's envsubst does: only the names it is given are replaced."""
    return re.sub(r"\$\{(\w+)\}", lambda match: values.get(match[1], match[0]), template)


@dataclass
class Stack:
    http_port: int
    https_port: int
    web_port: int
    tls: ssl.SSLContext

    def request(
        self, method: str, path: str, *, secure: bool = True, direct: bool = False, **kwargs
    ) -> http.client.HTTPResponse:
        headers = {"Host": HOST if direct else f"{HOST}:{self.port(secure)}"}
        headers.update(kwargs.pop("headers", {}))
        if direct:
            conn = http.client.HTTPConnection("127.0.0.1", self.web_port, timeout=20)
        elif secure:
            conn = http.client.HTTPSConnection(
                "127.0.0.1", self.https_port, context=self.tls, timeout=20
            )
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=20)
        conn.request(method, path, headers=headers, **kwargs)
        response = conn.getresponse()
        response.read()
        conn.close()
        return response

    def port(self, secure: bool) -> int:
        return self.https_port if secure else self.http_port


@pytest.fixture(scope="module")
def stack(django_db_setup, tmp_path_factory) -> Iterator[Stack]:
    """One proxy and one gunicorn for the module (collectstatic alone takes seconds)."""
    if shutil.which("nginx") is None:
        pytest.fail("These tests need nginx: `apt-get install nginx` (.ci/run does it).")
    tmp_path = tmp_path_factory.mktemp("https")
    tmp_path.chmod(0o755)  # nginx's workers drop root and must reach their temp folders
    certificate, key = tmp_path / "tremplin.crt", tmp_path / "tremplin.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    http_port, https_port, web_port = free_port(), free_port(), free_port()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "innovation.settings_production",
        "DJANGO_SECRET_KEY": "https-test-only-8f2b6c1d9e4a7f3b5c0d2e8a6f1b9c4d7e3a5b8c",
        "DJANGO_ALLOWED_HOSTS": HOST,
        # nginx passes the host name without the port, as on 443; a site on another port
        # names its origin, as .env.example says.
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{HOST}:{https_port}",
        "SITE_URL": f"https://{HOST}",
        "TRUSTED_PROXY_COUNT": "1",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "innovation.wsgi", f"--bind=127.0.0.1:{web_port}",
         "--workers=1", "--threads=2"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    site = fill_in(
        TEMPLATE.read_text(),
        {
            "TREMPLIN_UPSTREAM": f"127.0.0.1:{web_port}",
            "SERVER_NAME": HOST,
            "HTTP_PORT": f"127.0.0.1:{http_port}",
            "HTTPS_PORT": f"127.0.0.1:{https_port}",
            "HTTPS_PORT_SUFFIX": f":{https_port}",
            "TLS_CERTIFICATE": str(certificate),
            "TLS_CERTIFICATE_KEY": str(key),
        },
    )
    (tmp_path / "tremplin.conf").write_text(site)
    for folder in ("logs", "temp"):
        (tmp_path / folder).mkdir(mode=0o777)
        (tmp_path / folder).chmod(0o777)
    # The nginx image's own nginx.conf, reduced to what matters: the site file inside http {}.
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/logs/error.log;\n"
        "events {}\n"
        "http {\n"
        f"  access_log off;\n"
        f"  client_body_temp_path {tmp_path}/temp/body;\n"
        f"  proxy_temp_path {tmp_path}/temp/proxy;\n"
        f"  fastcgi_temp_path {tmp_path}/temp/fastcgi;\n"
        f"  uwsgi_temp_path {tmp_path}/temp/uwsgi;\n"
        f"  scgi_temp_path {tmp_path}/temp/scgi;\n"
        f"  include {tmp_path}/tremplin.conf;\n"
        "}\n"
    )
    proxy = subprocess.Popen(
        ["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    tls = ssl.create_default_context(cafile=str(certificate))
    tls.check_hostname = False  # we dial 127.0.0.1; the certificate itself is verified
    try:
        wait_for_port(web_port, web)
        wait_for_port(https_port, proxy)
        yield Stack(http_port, https_port, web_port, tls)
    finally:
        for process in (proxy, web):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            if process.stdout:
                process.stdout.close()


def cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    """Each Set-Cookie header by cookie name."""
    return {
        header.split("=", 1)[0]: header for header in response.headers.get_all("Set-Cookie") or []
    }


def test_plain_http_only_redirects_to_https(stack):
    response = stack.request("GET", "/connexion/?next=/idees/", secure=False)

    assert response.status == 301
    assert response.headers["Location"] == (
        f"https://{HOST}:{stack.https_port}/connexion/?next=/idees/"
    )
    assert response.headers.get_all("Set-Cookie") is None


def test_a_client_claiming_https_over_plain_http_is_still_redirected(stack):
    response = stack.request("GET", "/connexion/", secure=False, headers={
        "X-Forwarded-Proto": "https"
    })  # fmt: skip

    assert response.status == 301


def test_https_pages_carry_hsts_and_the_security_headers(stack):
    response = stack.request("GET", "/connexion/")

    assert response.status == 200
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_logging_in_over_https_sets_secure_http_only_cookies(stack):
    agent = AgentFactory(email="alix@tremplin.test")
    # The production settings know Django's default hashers, not the tests' fast one.
    agent.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    agent.save(update_fields=["password"])
    page = stack.request("GET", "/connexion/")
    csrf_cookie = cookies(page)["csrftoken"]
    assert "; Secure" in csrf_cookie
    assert "SameSite=Lax" in csrf_cookie
    token = csrf_cookie.split("=", 1)[1].split(";", 1)[0]

    response = stack.request(
        "POST",
        "/connexion/",
        body=urlencode(
            {"username": "alix@tremplin.test", "password": PASSWORD, "csrfmiddlewaretoken": token}
        ),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={token}",
            "Origin": f"https://{HOST}:{stack.https_port}",
            "Referer": f"https://{HOST}:{stack.https_port}/connexion/",
            # A client cannot choose the address the audit trail records.
            "X-Forwarded-For": "203.0.113.66",
        },
    )

    assert response.status == 302
    session = cookies(response)["sessionid"]
    assert "; Secure" in session
    assert "; HttpOnly" in session
    assert "SameSite=Lax" in session
    login = AuditEvent.objects.get(action="login")
    assert login.ip_address == "127.0.0.1"


def test_gunicorn_reached_directly_trusts_only_the_proxys_header(stack):
    """Without the header (or with `http`), Django sends the visitor to HTTPS; with
    `X-Forwarded-Proto: https`, which only the proxy can set in this stack, it serves."""
    assert stack.request("GET", "/connexion/", direct=True).status == 301
    plain = stack.request("GET", "/connexion/", direct=True, headers={"X-Forwarded-Proto": "http"})
    assert plain.status == 301
    assert plain.headers["Location"] == f"https://{HOST}/connexion/"
    secure = stack.request(
        "GET", "/connexion/", direct=True, headers={"X-Forwarded-Proto": "https"}
    )
    assert secure.status == 200
    assert "Strict-Transport-Security" in secure.headers
