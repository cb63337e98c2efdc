"""A fake data.police.uk API on 127.0.0.1 for the fetch and command tests (there is no internet in the tests)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

SAMPLE = json.dumps(
    [
        {
            "age_range": "18-24",
            "outcome": "Arrest",
            "involved_person": True,
            "self_defined_ethnicity": "White - Irish",
            "gender": "Male",
            "legislation": "Misuse of Drugs Act 1971 (section 23)",
            "outcome_linked_to_object_of_search": True,
            "datetime": "2023-01-01T00:15:04+00:00",
            "removal_of_more_than_outer_clothing": False,
            "outcome_object": {"id": "bu-arrest", "name": "Arrest"},
            "location": {
                "latitude": "51.449758",
                "street": {"id": 1, "name": "On or near Parking Area"},
                "longitude": "-2.852499",
            },
            "operation": None,
            "officer_defined_ethnicity": "White",
            "type": "Person search",
            "operation_name": None,
            "object_of_search": "Controlled drugs",
        }
    ]
).encode()


class FakeApi(BaseHTTPRequestHandler):
    """/api/stops-force?force=...&date=...: answers from `script` in turn (status, headers, body), then 200."""

    script: ClassVar[list[tuple[int, dict[str, str], bytes]]] = []
    requests: ClassVar[list[str]] = []
    body: ClassVar[bytes] = SAMPLE

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if parts.path != "/api/stops-force" or "force" not in query or "date" not in query:
            self.send_response(404)
            self.end_headers()
            return
        status, headers, body = type(self).script.pop(0) if type(self).script else (200, {}, type(self).body)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return


@contextmanager
def running_api() -> Iterator[str]:
    """Serve FakeApi until the block ends; yields its base URL (".../api")."""
    FakeApi.script = []
    FakeApi.requests = []
    FakeApi.body = SAMPLE
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()
