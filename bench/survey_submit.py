"""Survey submissions under load, against a trivial view served by the same server in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scrutiny REDIS_URL=redis://127.0.0.1:6379/9 \
        .venv/bin/python bench/survey_submit.py [--clients 32] [--per-client 20] [--py-spy profile.txt]

In a database of its own (`scrutiny_bench_surveys` on the server `DATABASE_URL` names, dropped and re-created) it
opens a 20-question survey, starts the ASGI server (uvicorn, one process, as the deployment guide runs each worker),
then:

1. the baseline: many concurrent clients GET `/healthz/` (a view that touches nothing) for a fixed time;
2. the same clients answer the survey as respondents do: each opens its forms first (GET, for the one-use form
   tokens; the respondent's pages set no cookie), then all POST their 20 answers at once; that phase is timed;
3. the baseline again; the faster of the two counts (other work on the machine must not flatter the ratio);
4. counts the responses stored: each successful POST must have stored exactly one.

The server runs as in production (docs/deployment.md), the same for both views: DEBUG=false with long random keys,
static files collected (`collectstatic`, into `staticfiles/`, removed afterwards if the run made it), the database
pool as configured (DATABASE_POOL, on by default), and Redis for the cache and the channel layer when REDIS_URL is
set (without it, the in-process ones `make run` uses; the run says which). The clients speak to it as nginx does:
plain HTTP on 127.0.0.1 with `X-Forwarded-Proto: https`, and, as a browser, `Origin` and `Referer` on each post.
DEBUG=true would slow both sides (every query recorded, templates checked for
changes) and skip HTTPS checks production makes, so it is not used.

Target (issue 5): submissions at >= 50 % of the trivial view's throughput, no errors, every response stored once.
The flood limit (SURVEY_RESPONSES_PER_MINUTE) is lifted for the run: it exists to stop floods, which this is; the
counter in the cache is still kept for every response. The clients run in this process, on the same machine
(asyncio, one keep-alive HTTP/1.1 connection each, no HTTP library): their CPU time is printed beside the
server's, per request, for each phase.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from _support import (  # bench/ runs as a directory of scripts: its own folder is on the path
    PROXY_HEADERS,
    ROOT,
    Connection,
    Cpu,
    Tally,
    collect_static,
    free_port,
    hammer,
    production_env,
    recreate_database,
    run_child,
    start_server,
)

BENCH_DB = "scrutiny_bench_surveys"
TARGET_SHARE = 0.5
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


# --- the child: set up the database and the survey ---------------------------------------------------------------


def child_setup() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from panels.models import ForceArea, Panel
    from surveys.building.models import Question
    from surveys.building.services import QuestionInput, question_add, survey_create, survey_open

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
                data=QuestionInput(
                    kind=K.SINGLE, text=f"Choice {n}", required=True, options=["Often", "Sometimes", "Rarely", "Never"]
                ),
            )
        )
        questions.append(
            question_add(section=section, data=QuestionInput(kind=K.AGREEMENT, text=f"Agree {n}", required=True))
        )
        questions.append(question_add(section=section, data=QuestionInput(kind=K.SCALE, text=f"Scale {n}")))
        questions.append(
            question_add(section=section, data=QuestionInput(kind=K.NUMBER, text=f"Number {n}", minimum=0, maximum=100))
        )
        questions.append(question_add(section=section, data=QuestionInput(kind=K.TEXT, text=f"Say more {n}")))
    survey_open(survey=survey)
    print(
        json.dumps(
            {
                "public_key": survey.public_key,
                "questions": [{"name": q.field_name, "kind": q.kind, "options": q.options} for q in questions],
                "pool": (settings.DATABASES["default"].get("OPTIONS") or {}).get("pool"),
            }
        )
    )


def child_count() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from surveys.responding.models import Answer, Response

    print(json.dumps({"responses": Response.objects.count(), "answers": Answer.objects.count()}))


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


async def trivial(port: int, clients: int, seconds: float, server_pid: int) -> tuple[Tally, float, Cpu]:
    with Cpu(server_pid) as cpu:
        tally, elapsed = await hammer(port, "/healthz/", clients, seconds)
    return tally, elapsed, cpu


async def submit(
    port: int,
    key: str,
    questions: list[dict[str, object]],
    clients: int,
    per_client: int,
    server_pid: int,
    profile: str | None = None,
) -> tuple[Tally, float, Cpu]:
    """Each client (one browser: its own connection and cookies) first opens `per_client` forms, as respondents do
    before answering; then all clients post their answers at once, and that phase alone is timed."""
    tally = Tally()
    browsers = [Connection("127.0.0.1", port) for _ in range(clients)]
    forms: list[list[bytes]] = [[] for _ in range(clients)]
    origin = f"https://127.0.0.1:{port}"
    page = f"/s/{key}/"

    async def open_forms(n: int) -> None:
        rng = random.Random(n)
        for _ in range(per_client):
            status, received, content = await browsers[n].request("GET", f"{page}?start=1", PROXY_HEADERS)
            token = FORM_TOKEN.search(content.decode())
            # The respondent's pages set no cookie and carry no CSRF token (docs/threat-model.md): none is sent back.
            if status != 200 or token is None or "set-cookie" in received:
                tally.error(f"form HTTP {status}")
                continue
            forms[n].append(
                urlencode({"form_token": html.unescape(token.group(1)), **answers(questions, rng)}).encode()
            )

    async def post_all(n: int) -> None:
        # As a browser posts a form over HTTPS (through the proxy header): with its Origin and Referer.
        headers = {
            **PROXY_HEADERS,
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Referer": origin + page,
        }
        for body in forms[n]:
            started = time.perf_counter()
            status, received, _ = await browsers[n].request("POST", page, headers, body)
            if status == 302 and "/thanks/" in received.get("location", [""])[0]:
                tally.latencies.append(time.perf_counter() - started)
            else:
                tally.error(f"submit HTTP {status}")

    spy = None
    try:
        await asyncio.gather(*(open_forms(n) for n in range(clients)))
        if profile:
            spy = subprocess.Popen(
                [
                    *(str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(server_pid)),
                    *("--nonblocking", "--format", "raw", "--rate", "50", "--output", profile),
                ],
                stdout=subprocess.DEVNULL,
            )
            await asyncio.sleep(1)
        with Cpu(server_pid) as cpu:
            started = time.perf_counter()
            await asyncio.gather(*(post_all(n) for n in range(clients)))
            seconds = time.perf_counter() - started
    finally:
        if spy is not None:
            spy.send_signal(2)  # SIGINT: py-spy writes its file and stops
            spy.wait(timeout=60)
        for browser in browsers:
            await browser.close()
    return tally, seconds, cpu


# --- the server --------------------------------------------------------------------------------------------------


def per_request_ms(seconds: float, count: int) -> str:
    return f"{1000 * seconds / count:.1f} ms" if count else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10, help="How long each of the two baselines runs.")
    parser.add_argument("--per-client", type=int, default=50, help="Responses each client submits.")
    parser.add_argument("--py-spy", metavar="FILE", help="Profile the server while the answers are posted (raw).")
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
    env = production_env(recreate_database(url, BENCH_DB), SURVEY_RESPONSES_PER_MINUTE=str(10**9))
    survey = run_child(__file__, "setup", env)
    made_static = collect_static(env)
    port = free_port()
    server = start_server(env, port)
    try:
        asyncio.run(trivial(port, 4, 2, server.pid))  # warm up
        first = asyncio.run(trivial(port, args.clients, args.seconds, server.pid))
        load, load_seconds, load_cpu = asyncio.run(
            submit(
                port,
                str(survey["public_key"]),
                survey["questions"],
                args.clients,
                args.per_client,
                server.pid,
                args.py_spy,
            )
        )
        # The baseline again after the submissions: the faster of the two counts, so that other work on the machine
        # slowing one of them does not flatter the ratio.
        second = asyncio.run(trivial(port, args.clients, args.seconds, server.pid))
        baselines = [t.summary(seconds)["rps"] for t, seconds, _ in (first, second)]
        baseline, base_seconds, base_cpu = max((first, second), key=lambda run: run[0].summary(run[1])["rps"])
    finally:
        server.terminate()
        server.wait(timeout=30)
        if made_static:
            shutil.rmtree(ROOT / "staticfiles", ignore_errors=True)
    stored = run_child(__file__, "count", env)
    b, s = baseline.summary(base_seconds), load.summary(load_seconds)
    share = s["rps"] / b["rps"] if b["rps"] else 0.0
    submitted = len(load.latencies)
    redis = "Redis cache and channel layer" if env.get("REDIS_URL") else "in-process cache and channel layer"
    pool = f"pool {survey['pool']}" if survey["pool"] else "no pool"
    print(
        f"{args.clients} concurrent clients, one uvicorn process, DEBUG=false, PostgreSQL ({pool}), {redis}; "
        f"baseline {base_seconds:.1f} s, {submitted:,} submissions in {load_seconds:.1f} s"
    )
    print(
        f"trivial view (baseline, the faster of {baselines[0]:.0f} before and {baselines[1]:.0f} after): "
        f"{b['rps']:.0f} requests/s, p95 {b['p95_ms']:.1f} ms, errors {first[0].errors or second[0].errors or 0}"
        f"; CPU per request: server {per_request_ms(base_cpu.server, len(baseline.latencies))}, "
        f"clients {per_request_ms(base_cpu.client, len(baseline.latencies))}"
    )
    print(
        f"survey submissions (20 questions): {s['rps']:.0f} responses/s, p95 {s['p95_ms']:.1f} ms, "
        f"errors {load.errors or 0}; CPU per request: server {per_request_ms(load_cpu.server, submitted)}, "
        f"clients {per_request_ms(load_cpu.client, submitted)}"
    )
    print(
        f"submissions / trivial = {share:.2f} (target >= {TARGET_SHARE}: {'ok' if share >= TARGET_SHARE else 'MISSED'})"
    )
    if submitted and base_cpu.server and load_cpu.server:
        # Less sensitive to other work on the machine than throughput: what the ratio would be if the one server
        # process were the only thing using the CPU.
        cpu_share = (base_cpu.server / len(baseline.latencies)) / (load_cpu.server / submitted)
        print(f"server CPU per trivial request / per submission = {cpu_share:.2f}")
    once = stored["responses"] == submitted
    print(
        f"responses stored {stored['responses']:,} for {submitted:,} accepted submissions "
        f"({'each once: ok' if once else 'MISMATCH'}); answers stored {stored['answers']:,}"
    )


if __name__ == "__main__":
    main()
