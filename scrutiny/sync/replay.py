"""A local stand-in for data.police.uk's API that replays recorded responses, for the tests, the demo and the
benchmarks: nothing they do reaches the internet.

It serves, from one directory (data/police-uk-api/ in the repository; see its README.md):

- `GET /api/crimes-street-dates`: the file `crimes-street-dates.json`, as recorded;
- `GET /api/stops-force?force=<id>&date=<YYYY-MM>`: the file `<YYYY-MM>-<id>-stops-force.json`, or the same name
  with `.json.gz` (served decompressed). A force-month with no recording is a 404, as data.police.uk answers for a
  month it does not have.

Files are read on every request, so a test can change a month between two syncs (a revision, say).

It can also play faults, each a number of times in turn, for one force-month, one force (any month), any request
(force "*": any stops-force request), or the availability list (force "crimes-street-dates"):

- `429:<seconds>`: 429 Too Many Requests with that Retry-After;
- `500`, `502`, `503`, ... : that status;
- `slow:<seconds>`: answer only after that long (a client with a shorter timeout gives up);
- `truncated`: half the JSON, sent as a complete answer (the Content-Length says half);
- `cut`: the Content-Length of the whole JSON, then half of it, then the connection closes;
- `empty`: `[]`, a month with no searches.

`manage.py replaypoliceuk` runs it from the command line; `manage.py syncrecords --replay DIR` runs a sync against it.
"""

from __future__ import annotations

import gzip
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from common.months import MONTH

AVAILABILITY = "crimes-street-dates"
ANY_FORCE = "*"
_FAULT = re.compile(r"(?P<kind>429|[45]\d\d|slow|truncated|cut|empty)(?::(?P<seconds>\d+(?:\.\d+)?))?")
_FORCE = re.compile(r"[a-z0-9-]+")


@dataclass(frozen=True)
class Fault:
    kind: str  # "429", another status code, "slow", "truncated", "cut" or "empty"
    seconds: float = 0.0  # Retry-After for 429, the delay for "slow"

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """ "429:2", "503", "slow:5", "truncated", "cut" or "empty"; ValueError otherwise."""
        match = _FAULT.fullmatch(spec.strip())
        if match is None:
            raise ValueError(
                f'unknown fault "{spec}": use 429:<seconds>, a status such as 503, slow:<seconds>, truncated, cut '
                "or empty"
            )
        kind, seconds = match["kind"], match["seconds"]
        if kind in ("429", "slow") and seconds is None:
            raise ValueError(f'fault "{spec}" needs its seconds, e.g. {kind}:2')
        return cls(kind=kind, seconds=float(seconds or 0))


def recording_name(force: str, month: str) -> str:
    """The file a force-month is recorded in (without .gz): "2023-01-avon-and-somerset-stops-force.json"."""
    return f"{month}-{force}-stops-force.json"


class ReplayServer:
    """Serve recorded responses from `directory` on 127.0.0.1 (an ephemeral port unless `port` is given).

    Use it as a context manager, or start() and stop(). `url` is the API's base URL (".../api"); `requests` lists
    (time.monotonic(), path) of every request, for tests that check pacing.
    """

    def __init__(self, directory: Path | str, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.directory = Path(directory)
        self.requests: list[tuple[float, str]] = []
        self._faults: dict[tuple[str, str], deque[Fault]] = {}
        self._lock = threading.Lock()
        self._host = host
        self._server = _Server((host, port), _Handler)
        self._server.replay = self
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self._server.server_address[1]}/api"

    def start(self) -> ReplayServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="replay-police-uk", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() would wait for ever for a server that never served
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def serve_forever(self) -> None:
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # --- faults ------------------------------------------------------------------------------------------------

    def add_fault(self, force: str, month: str | None, fault: Fault | str, times: int = 1) -> None:
        """Play `fault` the next `times` requests for the force-month (month None: any month of the force; force
        "*": any stops-force request; force "crimes-street-dates": the availability list)."""
        if isinstance(fault, str):
            fault = Fault.parse(fault)
        with self._lock:
            self._faults.setdefault((force, month or ""), deque()).extend([fault] * times)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def next_fault(self, force: str, month: str) -> Fault | None:
        keys = (
            [(force, month), (force, "")] if force == AVAILABILITY else [(force, month), (force, ""), (ANY_FORCE, "")]
        )
        with self._lock:
            for key in keys:
                queue = self._faults.get(key)
                if queue:
                    return queue.popleft()
        return None

    # --- recordings --------------------------------------------------------------------------------------------

    def recording(self, name: str) -> bytes | None:
        for candidate in (self.directory / name, self.directory / f"{name}.gz"):
            if candidate.is_file():
                data = candidate.read_bytes()
                return gzip.decompress(data) if candidate.suffix == ".gz" else data
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a "slow" answer must not hold up stop()
    replay: ReplayServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        replay = self.server.replay
        with replay._lock:
            replay.requests.append((time.monotonic(), self.path))
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if parts.path == f"/api/{AVAILABILITY}":
            key, name = (AVAILABILITY, ""), f"{AVAILABILITY}.json"
        elif parts.path == "/api/stops-force":
            force, month = query.get("force", [""])[0], query.get("date", [""])[0]
            if not _FORCE.fullmatch(force) or not MONTH.fullmatch(month):
                self._send(400, b'{"error": "force and date=YYYY-MM are required"}')
                return
            key, name = (force, month), recording_name(force, month)
        else:
            self._send(404, b'{"error": "not found"}')
            return
        fault = replay.next_fault(*key)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.seconds)
            fault = None
        if fault is not None and fault.kind == "empty":
            self._send(200, b"[]")
            return
        if fault is not None and fault.kind not in ("truncated", "cut"):
            headers = {"Retry-After": f"{fault.seconds:g}"} if fault.kind == "429" else {}
            self._send(int(fault.kind), b'{"error": "replayed fault"}', headers)
            return
        body = replay.recording(name)
        if body is None:
            self._send(404, b'{"error": "no recording"}')
            return
        if fault is not None and fault.kind == "truncated":
            self._send(200, body[: len(body) // 2])
        elif fault is not None and fault.kind == "cut":
            self._send(200, body[: len(body) // 2], length=len(body))
            self.close_connection = True
        else:
            self._send(200, body)

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None, length: int | None = None) -> None:
        try:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) if length is None else length))
            if length is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a "slow" answer past its timeout): nothing to tell it.
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:  # keep test and demo output quiet
        return
