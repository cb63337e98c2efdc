"""What the HTTP benchmarks share: a bare keep-alive client, latency tallies, CPU time of a process, and the
server started as in production (docs/deployment.md). Not a test, not part of the site."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
# What nginx adds in front of every request (docs/deployment.md): the site is served over HTTPS.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


class Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1

    def summary(self, seconds: float) -> dict[str, float]:
        lat = sorted(self.latencies)
        p95 = lat[int(0.95 * (len(lat) - 1))] if lat else float("nan")
        return {
            "rps": len(lat) / seconds,
            "p95_ms": p95 * 1000,
            "median_ms": statistics.median(lat) * 1000 if lat else 0,
        }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Cpu:
    """The server's and this process's (the clients') CPU time over one phase."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.server = self.client = 0.0

    def __enter__(self) -> Cpu:
        self._server, self._client = cpu_seconds(self.server_pid), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server = cpu_seconds(self.server_pid) - self._server
        self.client = time.process_time() - self._client


class Connection:
    """One keep-alive HTTP/1.1 connection, as a browser holds to nginx: the least a client can do per request (a
    general client such as httpx costs about as much CPU per request as the trivial view itself, and its share of
    the two cores would slow the baseline more than the submissions)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, dict[str, list[str]], bytes]:
        try:
            return await self._request(method, path, headers, body)
        except (asyncio.IncompleteReadError, ConnectionError):
            # The server dropped the connection (an error, a restart): a failed request, counted as an error.
            await self.close()
            return 0, {}, b""

    async def _request(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, list[str]], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        received: dict[str, list[str]] = {}
        for line in head[1:]:
            if line:
                name, _, value = line.partition(":")
                received.setdefault(name.strip().lower(), []).append(value.strip())
        if "content-length" in received:
            content = await self.reader.readexactly(int(received["content-length"][0]))
        else:  # chunked
            content = b""
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                content += (await self.reader.readexactly(size + 2))[:-2]
            await self.reader.readuntil(b"\r\n")
        if "close" in received.get("connection", []):
            await self.close()
        return status, received, content

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


# --- the server --------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    # As docs/deployment.md runs each worker (one process here): uvicorn trusts X-Forwarded-Proto from 127.0.0.1.
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port)),
            *("--lifespan", "off", "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1", "--no-server-header"),
            *("--no-access-log", "--log-level", "warning"),
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production worker (docs/deployment.md), on this machine."""
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48),
        PSEUDONYM_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
        **extra,
    )
    for name in ("DJANGO_SETTINGS_MODULE", "CSRF_TRUSTED_ORIGINS", "BEHIND_TLS_PROXY", "SECURE_SSL_REDIRECT"):
        env.pop(name, None)
    return env


def collect_static(env: dict[str, str]) -> bool:
    """Run collectstatic as a deployment does; True if this run created `staticfiles/` (so removes it after)."""
    made = not (ROOT / "staticfiles").exists()
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit("collectstatic failed")
    return made


# --- the data, the database, the importer ------------------------------------------------------------------------

SHARED = ROOT.parent / "shared" / "data" / "police-uk"
REPO = ROOT / "data" / "police-uk"


def police_uk_rows() -> tuple[list[str], list[list[str]], Path]:
    """The header and every row of the data.police.uk CSVs in ../shared/data/police-uk/ (65 files), or in the
    repository's data/police-uk/ (four months) without it, and the folder they came from."""
    source = SHARED if any(SHARED.glob("*.csv")) else REPO
    header: list[str] = []
    rows: list[list[str]] = []
    for file in sorted(source.glob("*.csv")):
        with open(file, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            rows.extend(row for row in reader if row)
    if not rows:
        raise SystemExit(f"no data.police.uk files in {SHARED} or {REPO}")
    return header, rows, source


def recreate_database(url: str, name: str) -> str:
    """Drop and create the database `name` on the server `url` names; its URL."""
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def time_copy(url: str, files: list[Path] | list[str]) -> float:
    """The baseline: a plain COPY of data.police.uk CSVs into an UNLOGGED table of 15 text columns (PostgreSQL
    reading the same rows, and no more)."""
    import psycopg

    columns = ", ".join(f"c{i} text" for i in range(15))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS copy_baseline")
        conn.execute(f"CREATE UNLOGGED TABLE copy_baseline ({columns})")
        conn.execute("CHECKPOINT")
        started = time.perf_counter()
        for file in files:
            with (
                conn.cursor() as cur,
                cur.copy("COPY copy_baseline FROM STDIN (FORMAT csv, HEADER true)") as copy,
                open(file, "rb") as fh,
            ):
                while block := fh.read(1 << 20):
                    copy.write(block)
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE copy_baseline")
    return seconds


def django_setup() -> None:
    """Django in a benchmark's child process (settings from the environment, as the site reads them)."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


def migrate() -> None:
    django_setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # every force exists from the first migrate


def import_files(files: list[str], force: str | None = None) -> dict[str, Any]:
    """`manage.py importrecords FILE --json` for each file (with --force when given, else the force its name says),
    timed around the commands, with this process's CPU time and peak RSS (Python, Django and the imports), and
    the counts summed over the files."""
    django_setup()
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    cpu = time.process_time()
    for file in files:
        extra = ["--force", force] if force else []
        call_command("importrecords", file, *extra, "--json", "--no-progress", stdout=out)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    results = [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]
    summed = {key: sum(r[key] for r in results) for key in ("read", "imported", "duplicates", "rejected")}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb, **summed}


def run_child(script: str, mode: str, env: dict[str, str], *extra: str) -> dict[str, Any]:
    """Run `script --child MODE EXTRA...` in a process of its own; its last JSON line (SystemExit if it failed)."""
    done = subprocess.run(
        [sys.executable, script, "--child", mode, *extra],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"child {mode} failed ({done.returncode})")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


async def hammer(port: int, path: str, clients: int, seconds: float) -> tuple[Tally, float]:
    """`clients` keep-alive connections asking for `path` again and again for `seconds`; the latencies of the
    answers that were 200 (any other is counted as an error) and the time it took."""
    tally = Tally()
    stop = time.perf_counter() + seconds
    connections = [Connection("127.0.0.1", port) for _ in range(clients)]

    async def one(connection: Connection) -> None:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            status, _, _ = await connection.request("GET", path, PROXY_HEADERS)
            if status == 200:
                tally.latencies.append(time.perf_counter() - started)
            else:
                tally.error(f"HTTP {status}")

    started = time.perf_counter()
    try:
        await asyncio.gather(*(one(c) for c in connections))
    finally:
        for c in connections:
            await c.close()
    return tally, time.perf_counter() - started
