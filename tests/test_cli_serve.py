"""`trainer serve`: which files the dashboard server sends, which it rejects, and its output."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from trainer.serve import CONTENT_SECURITY_POLICY, ServeError, create_server

REPO_ROOT = Path(__file__).resolve().parent.parent
TRAINER = [sys.executable, "-c", "import cli; cli.main()"]


@pytest.fixture
def served_project(tmp_path):
    """A project folder holding signals beside files the server must never send."""
    signals = tmp_path / "signals"
    (signals / "funnel_logs").mkdir(parents=True)
    (signals / "funnel_progress.json").write_text(json.dumps({"as_of": "2025-10-21", "trainings": {}}))
    (signals / "funnel_logs" / "index.json").write_text(json.dumps({"logs": []}))
    (signals / ".hidden.json").write_text("{}")
    (signals / "notes.txt").write_text("not a signal")
    (tmp_path / "warehouse").mkdir()
    (tmp_path / "warehouse" / "trainer.duckdb").write_bytes(b"DUCK")
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "funnel_spec.yml").write_text("version: 1\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]\n")
    (signals / "escape.json").symlink_to(tmp_path / "warehouse" / "trainer.duckdb")
    return tmp_path


@pytest.fixture
def server(served_project):
    """A dashboard server on a free port of 127.0.0.1, serving in a background thread."""
    server = create_server(served_project / "signals", port=0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def get(server, path, host=None, method="GET"):
    """Send `path` exactly as given (no normalising of `..` or `%2e`) and return the response."""
    address, port = server.server_address[:2]
    connection = http.client.HTTPConnection(address, port)
    connection.putrequest(method, path, skip_host=True)
    connection.putheader("Host", host or f"{address}:{port}")
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_serve_binds_loopback_only(server):
    assert server.server_address[0] == "127.0.0.1"


def test_serve_sends_dashboard_page(server):
    response, body = get(server, "/")

    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert body == (REPO_ROOT / "index.html").read_bytes()


def test_serve_sends_security_headers(server):
    response, _ = get(server, "/index.html")

    assert response.getheader("Content-Security-Policy") == CONTENT_SECURITY_POLICY
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Cache-Control") == "no-store"


@pytest.mark.parametrize("name, content_type", [
    ("app.js", "text/javascript; charset=utf-8"),
    ("style.css", "text/css; charset=utf-8"),
])
def test_serve_sends_dashboard_assets(server, name, content_type):
    response, body = get(server, f"/dashboard/{name}")

    assert response.status == 200
    assert response.getheader("Content-Type") == content_type
    assert body == (REPO_ROOT / "dashboard" / name).read_bytes()


@pytest.mark.parametrize("path", ["/signals/funnel_progress.json", "/signals/funnel_logs/index.json"])
def test_serve_sends_signals(server, served_project, path):
    response, body = get(server, path)

    assert response.status == 200
    assert response.getheader("Content-Type") == "application/json; charset=utf-8"
    assert body == (served_project / path.lstrip("/")).read_bytes()


def test_serve_head_sends_no_body(server):
    response, body = get(server, "/signals/funnel_progress.json", method="HEAD")

    assert response.status == 200
    assert int(response.getheader("Content-Length")) > 0
    assert body == b""


@pytest.mark.parametrize("path", [
    "/warehouse/trainer.duckdb",
    "/signals/../warehouse/trainer.duckdb",
    "/signals/%2e%2e/warehouse/trainer.duckdb",
    "/signals/..%2fwarehouse%2ftrainer.duckdb",
    "/signals/funnel_logs/../../warehouse/trainer.duckdb",
    "/../",
    "/%2e%2e/cli.py",
    "/dashboard/../cli.py",
    "/dashboard/..%5ccli.py",
    "/.git/config",
    "/signals/.hidden.json",
    "/signals/./funnel_progress.json",
    "/signals//funnel_progress.json",
    "/signals/notes.txt",
    "/signals/escape.json",
    "/signals/",
    "/dashboard/",
    "/seeds/funnel_spec.yml",
    "/pyproject.toml",
    "/cli.py",
    "/index.html/../cli.py",
])
def test_serve_rejects_path_outside_dashboard(server, path):
    response, body = get(server, path)

    assert response.status == 404, body
    assert b"DUCK" not in body


def test_serve_rejects_foreign_host_header(server):
    response, _ = get(server, "/signals/funnel_progress.json", host="attacker.example:8420")

    assert response.status == 421


def test_serve_accepts_localhost_host_header(server):
    port = server.server_address[1]
    response, _ = get(server, "/", host=f"localhost:{port}")

    assert response.status == 200


def test_serve_rejects_post(server):
    response, _ = get(server, "/signals/funnel_progress.json", method="POST")

    assert response.status == 501


def test_serve_port_in_use_raises(server, served_project):
    port = server.server_address[1]

    with pytest.raises(ServeError, match=f"cannot listen on 127.0.0.1:{port}: .*; pass another --port"):
        create_server(served_project / "signals", port=port)


def start_cli_server(served_project, *options):
    """Start `trainer serve --port 0` in `served_project`; return the process and its first stdout line."""
    process = subprocess.Popen(
        [*TRAINER, "serve", "--port", "0", *options],
        cwd=served_project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    return process, process.stdout.readline()


def stop_cli_server(process):
    """Stop the server with Ctrl-C, as a user would, and return its exit code and stderr."""
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    return process.returncode, stderr


def test_cli_serve_prints_url_and_serves(served_project):
    process, first_line = start_cli_server(served_project)
    try:
        assert first_line.startswith("Dashboard: http://127.0.0.1:"), first_line
        url = first_line.split()[-1]
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port)
        connection.request("GET", "/signals/funnel_progress.json")
        response = connection.getresponse()
        body = response.read()
        connection.close()
    finally:
        exit_code, stderr = stop_cli_server(process)

    assert url == f"http://127.0.0.1:{port}/"
    assert response.status == 200
    assert json.loads(body)["as_of"] == "2025-10-21"
    assert exit_code == 0, stderr
    assert "GET /signals/funnel_progress.json HTTP/1.1\" 200" in stderr


def test_cli_serve_warns_without_signals(tmp_path):
    process, first_line = start_cli_server(tmp_path, "--quiet")
    exit_code, stderr = stop_cli_server(process)

    assert first_line.startswith("Dashboard: http://127.0.0.1:")
    assert f"warning: no {tmp_path / 'signals' / 'funnel_progress.json'} yet; run trainer build" in stderr
    assert exit_code == 0


def test_cli_serve_port_in_use_exits_1(server, served_project):
    port = server.server_address[1]

    result = CliRunner().invoke(cli, ["serve", "--port", str(port), "--signals-dir", str(served_project / "signals")])

    assert result.exit_code == 1
    assert f"error: cannot listen on 127.0.0.1:{port}" in result.output


def test_cli_serve_help_shows_example():
    result = CliRunner().invoke(cli, ["serve", "--help"])

    help_text = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "Example: trainer build --as-of 2025-10-21 && trainer serve --port 8420" in help_text
    assert "0 picks a free port. [default: 8420; 0<=x<=65535]" in help_text
