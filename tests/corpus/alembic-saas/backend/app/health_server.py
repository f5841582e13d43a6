"""Health endpoint for the load balancer and the uptime checks.

Kept apart from the FastAPI app (app.main) and free of its dependencies, so that a broken
web stack cannot make the check lie one way or the other:

    python -m app.health_server --port 8081

GET /health answers 200 {"status": "ok"} when the database runs `SELECT 1`, and
503 {"status": "unavailable", "error": ...} when it refuses, fails, or does not answer
within CHECK_TIMEOUT seconds: a database that hangs must not hang its health check.
"""
from __future__ import annotations

import argparse
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from app.db import engine as app_engine

CHECK_TIMEOUT = 3.0  # seconds the whole check may take
CONNECT_TIMEOUT = 2  # libpq's connect_timeout, whole seconds

logger = logging.getLogger("app.health")

# A fresh connection per check: a pooled one may have been opened before the database
# went away, and pre-ping on a hung server blocks like any other query.
health_engine = create_engine(
    app_engine.url,
    poolclass=NullPool,
    connect_args={"connect_timeout": CONNECT_TIMEOUT, "application_name": "tallybook-health"},
)


def check_database() -> str | None:
    """None when the database answers in time, else what went wrong."""
    outcome: dict[str, str | None] = {}

    def probe() -> None:
        try:
            with health_engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            outcome["error"] = None
        except Exception as exc:  # any failure means unhealthy; say which
            first_line = (str(exc).splitlines() or [""])[0]
            outcome["error"] = f"{type(exc).__name__}: {first_line}"

    # the thread is left behind if the database hangs; it ends when the connection does
    worker = threading.Thread(target=probe, name="health-check", daemon=True)
    worker.start()
    worker.join(CHECK_TIMEOUT)
    if "error" not in outcome:
        return f"no answer from the database within {CHECK_TIMEOUT:g} s"
    return outcome["error"]


class HealthHandler(BaseHTTPRequestHandler):
    server_version = "tallybook-health/1.0"

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] != "/health":
            self._send(404, {"status": "not found"})
            return
        error = check_database()
        if error is None:
            self._send(200, {"status": "ok"})
        else:
            logger.warning("unhealthy: %s", error)
            self._send(503, {"status": "unavailable", "error": error})

    def _send(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base's name)
        logger.info("%s %s", self.address_string(), format % args)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve GET /health for the load balancer.")
    parser.add_argument("--host", default="127.0.0.1", help="0.0.0.0 inside the container")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    server = ThreadingHTTPServer((args.host, args.port), HealthHandler)
    server.daemon_threads = True
    logger.info("serving http://%s:%d/health", args.host, args.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
