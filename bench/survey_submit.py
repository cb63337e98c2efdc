"""Survey submissions under load, against a trivial view served by the same server in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scrutiny .venv/bin/python bench/survey_submit.py

In a database of its own (`scrutiny_bench_surveys` on the server `DATABASE_URL` names, dropped and re-created) it
opens a 20-question survey, starts the ASGI server (uvicorn, one process, as `make run` serves), then:

1. the baseline: many concurrent clients GET `/healthz/` (a view that touches nothing) for a fixed time;
2. the same clients answer the survey as respondents do: each opens its forms first (GET, for the CSRF and
   one-use form tokens), then all POST their 20 answers at once; that phase is timed;
3. counts the responses stored: each successful POST must have stored exactly one.

Target (issue 5): submissions at >= 50 % of the trivial view's throughput, no errors, every response stored once.
The flood limit (SURVEY_RESPONSES_PER_MINUTE) is lifted for the run: it exists to stop floods, which this is.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "scrutiny_bench_surveys"
TARGET_SHARE = 0.5
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- the child: set up the database and the survey ---------------------------------------------------------------


def child_setup() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command

    from panels.models import ForceArea, Panel
    from surveys.models import Question
    from surveys.services import question_add, survey_create, survey_open

    call_command("migrate", verbosity=0)
    panel = Panel.objects.create(
        name="Bench youth commission",
        slug="bench-youth",
        kind=Panel.Kind.YOUTH,
        force_area=ForceArea.objects.order_by("code")[0],
    )
    survey = survey_create(panel=panel, title="Twenty questions", by=None)
    section = survey.sections.get()
    K = Question.Kind
    questions = []
    for n in range(4):
        questions.append(
            question_add(
                section=section,
                kind=K.SINGLE,
                text=f"Choice {n}",
                required=True,
                options=["Often", "Sometimes", "Rarely", "Never"],
            )
        )
        questions.append(question_add(section=section, kind=K.AGREEMENT, text=f"Agree {n}", required=True))
        questions.append(question_add(section=section, kind=K.SCALE, text=f"Scale {n}"))
        questions.append(question_add(section=section, kind=K.NUMBER, text=f"Number {n}", minimum=0, maximum=100))
        questions.append(question_add(section=section, kind=K.TEXT, text=f"Say more {n}"))
    survey_open(survey=survey)
    print(
        json.dumps(
            {
                "public_key": survey.public_key,
                "questions": [{"name": q.field_name, "kind": q.kind, "options": q.options} for q in questions],
            }
        )
    )


def child_count() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from surveys.models import Answer, Response

    print(json.dumps({"responses": Response.objects.count(), "answers": Answer.objects.count()}))


def run_child(mode: str, env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode], env=env, capture_output=True, text=True, check=False, cwd=ROOT
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"child {mode} failed ({done.returncode})")
    return json.loads([line for line in done.stdout.splitlines() if line.startswith("{")][-1])


# --- the load ----------------------------------------------------------------------------------------------------


def answers(questions: list[dict[str, object]], rng: random.Random) -> dict[str, str]:
    agreement = ["strongly_agree", "tend_to_agree", "neither", "tend_to_disagree", "strongly_disagree"]
    data: dict[str, str] = {}
    for q in questions:
        name, kind = str(q["name"]), q["kind"]
        if kind == "single":
            data[name] = rng.choice(q["options"])  # type: ignore[arg-type]
        elif kind == "agreement":
            data[name] = rng.choice(agreement)
        elif kind == "scale":
            data[name] = str(rng.randint(0, 10))
        elif kind == "number":
            data[name] = str(rng.randint(0, 100))
        else:
            data[name] = rng.choice(["", "More youth clubs, please.", "Officers should explain why they stop us."])
    return data


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


async def trivial(base: str, clients: int, seconds: float) -> tuple[Tally, float]:
    import httpx

    tally = Tally()
    stop = time.perf_counter() + seconds

    async def one(client: httpx.AsyncClient) -> None:
        while time.perf_counter() < stop:
            started = time.perf_counter()
            response = await client.get("/healthz/")
            if response.status_code == 200:
                tally.latencies.append(time.perf_counter() - started)
            else:
                tally.error(f"HTTP {response.status_code}")

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await asyncio.gather(*(one(client) for _ in range(clients)))
    return tally, time.perf_counter() - started


async def submit(
    base: str, key: str, questions: list[dict[str, object]], clients: int, per_client: int
) -> tuple[Tally, float]:
    """Each client (one cookie jar, as one browser) first opens `per_client` forms, as respondents do before
    answering; then all clients post their answers at once, and that phase alone is timed."""
    import httpx

    tally = Tally()
    jars = [httpx.AsyncClient(base_url=base, timeout=60) for _ in range(clients)]
    forms: list[list[dict[str, str]]] = [[] for _ in range(clients)]

    async def open_forms(n: int) -> None:
        rng = random.Random(n)
        for _ in range(per_client):
            form = await jars[n].get(f"/s/{key}/", params={"start": "1"})
            token, csrf = FORM_TOKEN.search(form.text), CSRF_TOKEN.search(form.text)
            if form.status_code != 200 or token is None or csrf is None:
                tally.error(f"form HTTP {form.status_code}")
                continue
            forms[n].append(
                {"form_token": token.group(1), "csrfmiddlewaretoken": csrf.group(1), **answers(questions, rng)}
            )

    async def post_all(n: int) -> None:
        for data in forms[n]:
            started = time.perf_counter()
            response = await jars[n].post(f"/s/{key}/", data=data, headers={"Referer": f"{base}/s/{key}/"})
            if response.status_code == 302 and "/thanks/" in response.headers.get("location", ""):
                tally.latencies.append(time.perf_counter() - started)
            else:
                tally.error(f"submit HTTP {response.status_code}")

    try:
        await asyncio.gather(*(open_forms(n) for n in range(clients)))
        started = time.perf_counter()
        await asyncio.gather(*(post_all(n) for n in range(clients)))
        seconds = time.perf_counter() - started
    finally:
        for jar in jars:
            await jar.aclose()
    return tally, seconds


# --- the server --------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
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


def recreate_database(url: str) -> str:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15, help="How long the baseline runs.")
    parser.add_argument("--per-client", type=int, default=20, help="Responses each client submits.")
    parser.add_argument("--child", choices=["setup", "count"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "setup":
        child_setup()
        return
    if args.child == "count":
        child_count()
        return

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("set DATABASE_URL to a PostgreSQL server")
    env = dict(os.environ)
    # DEBUG keeps the plain-HTTP development settings (no HTTPS redirect, no Secure-only cookies) for both views.
    env.update(DATABASE_URL=recreate_database(url), DEBUG="true", SURVEY_RESPONSES_PER_MINUTE=str(10**9))
    env.pop("REDIS_URL", None)
    survey = run_child("setup", env)
    port = free_port()
    server = start_server(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(trivial(base, 4, 2))  # warm up both paths
        baseline, base_seconds = asyncio.run(trivial(base, args.clients, args.seconds))
        load, load_seconds = asyncio.run(
            submit(base, str(survey["public_key"]), survey["questions"], args.clients, args.per_client)  # type: ignore[arg-type]
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    stored = run_child("count", env)
    b, s = baseline.summary(base_seconds), load.summary(load_seconds)
    share = s["rps"] / b["rps"] if b["rps"] else 0.0
    submitted = len(load.latencies)
    print(
        f"{args.clients} concurrent clients, one uvicorn process, PostgreSQL; baseline {base_seconds:.1f} s, "
        f"{len(load.latencies):,} submissions in {load_seconds:.1f} s"
    )
    print(
        f"trivial view (baseline): {b['rps']:.0f} requests/s, p95 {b['p95_ms']:.1f} ms, errors {baseline.errors or 0}"
    )
    print(
        f"survey submissions (20 questions): {s['rps']:.0f} responses/s, p95 {s['p95_ms']:.1f} ms, "
        f"errors {load.errors or 0}"
    )
    print(
        f"submissions / trivial = {share:.2f} (target >= {TARGET_SHARE}: {'ok' if share >= TARGET_SHARE else 'MISSED'})"
    )
    once = stored["responses"] == submitted
    print(
        f"responses stored {stored['responses']:,} for {submitted:,} accepted submissions "
        f"({'each once: ok' if once else 'MISMATCH'}); answers stored {stored['answers']:,}"
    )


if __name__ == "__main__":
    main()
