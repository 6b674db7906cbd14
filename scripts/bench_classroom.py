"""A simulated class on one machine: N students click through every tab at once, and a bare Gradio
app with one echo endpoint, under the same load in the same run, gives the floor.

    python scripts/bench_classroom.py                      # 30 students, 90 s each phase
    python scripts/bench_classroom.py --students 10 --seconds 30 --out bench/classroom_small.json

Each student is its own gradio_client (its own session), waits an exponential think time (mean
--think seconds), then replays what one browser click sends: the event and the events that run
beside it or are chained to it (Score = /token_probabilities with /compare and /attention beside it,
sent at once as the page does; a model change = the posterior of the new model and, beside it, its
prior samples: the page's own event draws only their grid, as the posterior's map already shows them),
drawings sent as images; every click sends the same settings unless --vary-seeds N gives each click
a random seed below N and one of min(N, 81) drawings (the app keeps recent answers, so repeated
settings are its best case). --live students run live training within the
trainer cap and poll /live_status like the page's timer, as the page sends it (a direct POST: the
poll skips the queue). Both servers run as subprocesses
(`python app.py` and a ten-line echo app), so cold start and RSS are theirs alone; the clients run in
this process, on the same cores, for both phases alike.

The simulated students share one TLS context (`share_tls_context`): gradio_client opens a new httpx
client for most requests, and httpx builds a TLS context for each one, loading the CA bundle (about
45 ms of CPU here) even for http://. A browser does that once, on the student's own machine; here the
students run on the server's two cores, and without sharing, their clients took twice the server's CPU
per click. --tls-per-request measures the old way. They also reopen a session's event stream for
an event that joined while the server was closing it (`reopen_closed_streams`), as a browser does,
where gradio_client cancels the event (`CancelledError`, about once in 500 clicks).

Prints and writes (bench/classroom.json): p50 / p95 / p99 per action and overall, the ratio to the
floor's, each action's round trip with one client at a time (twice: with gradio_client's own 50 ms
polls, and with 2 ms polls, `fine_polling`, as its 50 ms hide a fast server's differences), errors,
clicks per second, bytes per click (the event's answer as sent by the server, and the images it
links), bytes of the initial page config, server RSS before and after, cold starts, the CPU each
class took (the server with its trainers, and the simulated students), and
the memory of the live trainers, which run as child processes of the server (RSS and PSS at their
peak during the class; PSS splits torch's shared library pages between the processes that map them),
and, before the class, the server CPU of one live status poll, as the page sends it and through the
queue, in turns.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import PIL.Image

ROOT = Path(__file__).resolve().parent.parent

FLOOR_APP = """
import os, gradio as gr
with gr.Blocks() as demo:
    box = gr.Textbox()
    out = gr.Textbox()
    gr.Button("echo").click(lambda s: s, box, out, api_name="echo")
demo.queue(default_concurrency_limit=4, max_size=64)
demo.launch(server_name="127.0.0.1", server_port=int(os.environ["GRADIO_SERVER_PORT"]))
"""


def percentile(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, math.ceil(q * len(xs)) - 1))]


def stats(xs: list[float]) -> dict:
    return {"n": len(xs), **{f"p{int(q * 100)}_ms": None if not xs else round(1000 * percentile(xs, q), 1)
                             for q in (0.5, 0.95, 0.99)}}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pss_mb(pid: int) -> float:
    """Proportional set size: shared pages (torch's libraries) split between the processes mapping them."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def children(pid: int) -> list[int]:
    """The processes the server started, and theirs: the live trainers' zygote and the trainers."""
    parent = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parent[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    kids, frontier = [], [pid]
    while frontier:
        frontier = [p for p, pp in parent.items() if pp in frontier]
        kids += frontier
    return kids


def share_tls_context() -> None:
    """One TLS context for every httpx client of this process (see the module's docstring)."""
    import httpx._transports.default as transport
    if getattr(transport.create_ssl_context, "shared", False):
        return
    make, made = transport.create_ssl_context, {}
    lock = threading.Lock()

    def shared(verify=True, cert=None, trust_env=True):
        key = (verify if isinstance(verify, (bool, str)) else id(verify), repr(cert), trust_env)
        with lock:
            if key not in made:
                made[key] = make(verify=verify, cert=cert, trust_env=trust_env)
            return made[key]
    shared.shared = True
    transport.create_ssl_context = shared


def reopen_closed_streams(client_class=None) -> None:
    """gradio_client: keep reading a session's event stream for the events that joined while the server
    closed it, instead of cancelling them.

    The server sends `close_stream` as soon as a session has no event left. A click's second event (Score
    sends three at once; a chained event follows the first at once) can join just before the client's
    reader reads that message; the client then files the new event under the closing reader, which
    cancels it when it ends (gradio_client 1.x, `Client.send_data`'s `close_stream`): the student sees
    `CancelledError`, though the server answers the event on the next stream. A browser reopens the
    stream instead; so does this: when the reader ends with events of its own still unanswered, it opens
    the stream again (the server kept their messages for the session), or hands them to a newer reader
    if one opened meanwhile. Seen as 1 error in about 520 clicks of the class, never on the echo app (one
    event per click)."""
    if client_class is None:
        from gradio_client import Client as client_class
    if getattr(client_class.stream_messages, "reopens", False):
        return
    read = client_class.stream_messages

    def stream_messages(self, protocol, session_hash):
        with self.pending_lock:
            epoch = self.stream_epoch  # the epoch send_data tagged this reader's events with
        while True:
            read(self, protocol, session_hash)
            with self.pending_lock:
                mine = [e for e in self.pending_event_ids
                        if e in self.pending_messages_per_event and self.pending_event_epoch.get(e) == epoch]
                if not mine:
                    return
                if self.stream_open:  # a newer reader is open: it reads these too
                    for e in mine:
                        self.pending_event_epoch[e] = self.stream_epoch
                    return
                self.stream_open = True  # read on, for the events that joined while the server closed
    stream_messages.reopens = True
    client_class.stream_messages = stream_messages


class fine_polling:
    """With this on, gradio_client looks for a job's messages every 2 ms instead of every 50 ms.

    gradio_client's `stream_sse_v1plus` waits for a job's next message by polling its queue with
    `time.sleep(0.05)`, so every round trip it measures is rounded up to the next 50 ms: an echo reads
    ~57 ms where its server answers in ~13 ms, and an action that the server answers in 30 ms reads
    the same as the echo. A browser does not poll (it reads the event stream as it comes). The
    one-client round trips are measured both ways; the class keeps gradio_client's own polling (2 ms
    polls for 30 simulated students would cost the shared cores more than the server's work)."""

    def __init__(self, poll_s: float = 0.002):
        self.poll_s = poll_s

    def __enter__(self):
        import types

        import gradio_client.utils as gu
        self.module, self.real = gu, gu.time
        shim = types.SimpleNamespace(**{k: getattr(time, k) for k in dir(time) if not k.startswith("__")})
        shim.sleep = lambda s: time.sleep(min(s, self.poll_s))
        gu.time = shim
        return self

    def __exit__(self, *exc):
        self.module.time = self.real


def round_trips(client, name: str, calls: list[tuple[str, list]], n: int = 10) -> list[float]:
    """n timed replays of one action, after a warm-up replay."""
    xs = []
    for i in range(n + 1):
        t0 = time.perf_counter()
        replay(client, name, calls)
        if i:
            xs.append(time.perf_counter() - t0)
    return xs


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class MemoryWatch(threading.Thread):
    """Samples, every second, the server's RSS and its trainer processes' RSS and PSS (the zygote and
    the trainers it forked); keeps the peaks. Also the CPU time the server and those processes used
    while it watched (a process that ends between two samples loses at most its last second)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.done = pid, threading.Event()
        self.peak = {"server_rss_mb": 0.0, "trainer_processes": 0, "trainers_rss_mb": 0.0, "trainers_pss_mb": 0.0,
                     "server_plus_trainers_pss_mb": 0.0}
        self.cpu_start = {p: cpu_seconds(p) for p in [pid, *children(pid)]}
        self.cpu_last = dict(self.cpu_start)

    def cpu(self) -> dict:
        """CPU seconds used since the watch began: the server's own, and its trainer processes'."""
        used = {p: last - self.cpu_start.get(p, 0.0) for p, last in self.cpu_last.items()}
        return {"server_s": round(used.pop(self.pid, 0.0), 1), "trainers_s": round(sum(used.values()), 1)}

    def run(self):
        while not self.done.wait(1.0):
            for p in [self.pid, *children(self.pid)]:
                try:
                    self.cpu_last[p] = cpu_seconds(p)
                except (OSError, IndexError, ValueError):
                    pass
            try:
                kids = children(self.pid)
                rss = [rss_mb(k) for k in kids]
                pss = [pss_mb(k) for k in kids]
                now = {"server_rss_mb": rss_mb(self.pid), "trainer_processes": len(kids), "trainers_rss_mb": sum(rss),
                       "trainers_pss_mb": sum(pss), "server_plus_trainers_pss_mb": pss_mb(self.pid) + sum(pss)}
            except OSError:  # a trainer ended between the listing and the reading
                continue
            for k, v in now.items():
                self.peak[k] = max(self.peak[k], round(v, 1))


class Server:
    """A server subprocess; cold start = Popen to the first HTTP 200 on its page."""

    def __init__(self, argv: list[str], port: int, env: dict | None = None):
        self.url = f"http://127.0.0.1:{port}/"
        env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "GRADIO_ANALYTICS_ENABLED": "False", **(env or {})}
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while True:
            try:
                if httpx.get(self.url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"{argv} exited: {self.proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.05)
        self.cold_start = time.perf_counter() - t0
        # what a student downloads first: the page (its HTML embeds the config) and the config itself, as
        # JSON and as sent to a browser (which accepts gzip); httpx decodes .content, counts the wire bytes
        gzip = {"Accept-Encoding": "gzip"}
        page, config = (httpx.get(self.url + p, timeout=30, headers=gzip) for p in ("", "config"))
        self.config_bytes, self.config_sent_bytes = len(config.content), config.num_bytes_downloaded
        self.page_bytes, self.page_sent_bytes = len(page.content), page.num_bytes_downloaded

    def page_sizes(self) -> dict:
        return {"config_bytes": self.config_bytes, "config_sent_bytes": self.config_sent_bytes,
                "page_bytes": self.page_bytes, "page_sent_bytes": self.page_sent_bytes}

    def rss(self) -> float:
        return rss_mb(self.proc.pid)

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def drawing(path: Path, variant: int = 0) -> Path:
    """A '7' drawn with the mouse: dark strokes on a transparent 280 px canvas, as the sketchpad sends.
    Variants 0..80 are 7s of other shapes (stroke width, slope, bar length and thickness: the app
    centres a drawing, so a 7 drawn elsewhere would reach the models as the same image)."""
    half, slope, bar_x, bar_h = ((10, 7, 13)[variant % 3], (0.6, 0.45, 0.75)[variant // 3 % 3],
                                 (60, 40, 90)[variant // 9 % 3], (20, 14, 26)[variant // 27 % 3])
    a = np.zeros((280, 280, 4), np.uint8)
    a[40:40 + bar_h, bar_x:230, 3] = 255
    for y in range(40 + bar_h, 240):
        x = int(230 - (y - 40 - bar_h) * slope)
        a[y, x - half:x + half, 3] = 255
    PIL.Image.fromarray(a, "RGBA").save(path)
    return path


def app_actions(api: set[str], sketch) -> dict[str, list[tuple[str, list]]]:
    """What each kind of browser click sends, as (api_name, arguments) calls in order."""
    acts = {
        "interpolate": [("/interpolate", ["vae_mnist_z2", 1, 7, 10, "slerp", 0])],
        "interpolate (drawn A)": [("/interpolate", ["vae_mnist_z2", 1, 7, 10, "linear", 0, "draw", "gallery", sketch])],
        "sample prior": [("/sample_prior", ["vae_mnist_z32", 0, 1.0, 16])],
        "sample posterior": [("/sample_posterior", ["vae_mnist_z32", 3, 0, 8, 1000])],
        "posterior of a drawing": [("/sample_posterior", ["vae_mnist_z2", 3, 0, 8, 1000, "draw", sketch])],
        "change model (VAE)": [("/sample_posterior", ["vae_fashion_z2", 3, 0, 8, 1000]),
                               ("/sample_prior", ["vae_fashion_z2", 0, 1.0, 16])],
        "score a name": [("/token_probabilities", ["names_transformer", "olivia"]), ("/compare", ["olivia"]),
                         ("/attention", ["olivia", 1, 0])],
        "change model (tokens)": [("/token_probabilities", ["names_gru", "emma"])],
        "generate names": [("/generate", ["names_transformer", 1.0, 0, 0, 10])],
        "beta sweep": [("/tradeoff", [4.0, 0])],
    }
    return {k: v for k, v in acts.items() if all(name in api for name, _ in v)}


# where each event's seed sits among its arguments (--vary-seeds gives every click a seed of its own)
SEED_AT = {"/interpolate": 5, "/sample_prior": 1, "/sample_posterior": 2, "/generate": 3, "/tradeoff": 1}


def with_seeds(calls: list[tuple[str, list]], seed: int, drawings: list | None = None) -> list[tuple[str, list]]:
    """The same click with another seed (the events that take one), and, given drawings, the drawing
    drawings[seed % len(drawings)] in place of its sketch (a class's drawings are not all the same)."""
    def arg(api, i, a):
        if i == SEED_AT.get(api):
            return seed
        if drawings and isinstance(a, dict) and "composite" in a:
            return drawings[seed % len(drawings)]
        return a
    return [(api, [arg(api, i, a) for i, a in enumerate(args)]) for api, args in calls]


# actions whose events the page sends beside each other (Score: the comparison and the attention map
# run beside the main event, not after it); the others' events are chained, one after another
BESIDE = {"score a name", "change model (VAE)"}


def replay(client, name: str, calls: list[tuple[str, list]]) -> None:
    """Send one click's events as the page does: beside each other (BESIDE) or one after another."""
    if name in BESIDE:
        for job in [client.submit(*args, api_name=api_name) for api_name, args in calls]:
            job.result()
    else:
        for api_name, args in calls:
            client.predict(*args, api_name=api_name)


class Student(threading.Thread):
    def __init__(self, url: str, actions: dict, think: float, until: float, seed: int, results: dict,
                 lock: threading.Lock, vary_seeds: int = 0, headers: dict | None = None, drawings: list | None = None):
        super().__init__(daemon=True)
        from gradio_client import Client
        self.client = Client(url, verbose=False, headers=headers)
        self.actions, self.think, self.until = actions, think, until
        self.rng, self.results, self.lock = random.Random(seed), results, lock
        self.vary_seeds, self.drawings = vary_seeds, drawings

    def run(self):
        names = sorted(self.actions)
        while True:
            time.sleep(self.rng.expovariate(1.0 / self.think))
            if time.time() >= self.until:
                return
            name = self.rng.choice(names)
            t0 = time.perf_counter()
            try:
                calls = self.actions[name]
                if self.vary_seeds:
                    calls = with_seeds(calls, self.rng.randrange(self.vary_seeds), self.drawings)
                replay(self.client, name, calls)
                ok, err = True, None
            except Exception as e:  # a failed click is a result, not a crash of the benchmark
                ok, err = False, f"{type(e).__name__}: {str(e)[:200]}"
            dt = time.perf_counter() - t0
            with self.lock:
                if ok:
                    self.results.setdefault(name, []).append(dt)
                else:
                    self.results.setdefault("errors", []).append({"action": name, "error": err})


def as_the_page_sends(client, api_name: str, headers: dict | None = None):
    """A call of `api_name` as the page makes it. An event declared with queue=False is not sent
    through the queue by the page: it POSTs the event's inputs (their values in the page, here the
    page's first values: a State's is null) to /gradio_api/run/<api_name> with its session hash and
    reads the answer. gradio_client always joins the queue, so that path is replayed here with httpx;
    a queued event goes through the client as before."""
    config = client.config
    dep = next(d for d in config["dependencies"] if d.get("api_name") == api_name.lstrip("/"))
    if dep.get("queue") is not False:
        return lambda: client.predict(api_name=api_name)
    props = {c["id"]: c.get("props", {}) for c in config["components"]}
    data = [props.get(i, {}).get("value") for i in dep["inputs"]]
    http = httpx.Client(base_url=client.src, headers=headers or {}, timeout=60)

    def send():
        r = http.post(f"gradio_api/run/{api_name.lstrip('/')}",
                      json={"data": data, "fn_index": dep["id"], "session_hash": client.session_hash})
        if r.status_code != 200:
            raise RuntimeError(f"{api_name}: HTTP {r.status_code}: {r.text[:200]}")
        return r.json()["data"]
    return send


def poll_cost(url: str, pid: int, n: int = 60, rounds: int = 2) -> dict:
    """Server CPU (from /proc) and round trip per live status poll of one running live run: as the page
    sends it (`as_the_page_sends`), and through the queue (gradio_client), `rounds` times in turn."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    client.predict("scratch", 2, 1.0, api_name="/live_start")
    time.sleep(2)  # the trainer has started
    ways = {"as_the_page_sends": as_the_page_sends(client, "/live_status"),
            "through_the_queue": lambda: client.predict(api_name="/live_status")}
    cpu, wall = {k: [] for k in ways}, {k: [] for k in ways}
    try:
        for _ in range(rounds):
            for way, send in ways.items():
                c0, t0 = cpu_seconds(pid), time.perf_counter()
                for _ in range(n):
                    send()
                cpu[way].append((cpu_seconds(pid) - c0) / n * 1000)
                wall[way].append((time.perf_counter() - t0) / n * 1000)
    finally:
        client.predict(api_name="/live_stop")
    return {way: {"server_cpu_ms_per_poll": [round(x, 1) for x in cpu[way]],
                  "round_trip_ms": [round(x, 1) for x in wall[way]]} for way in ways}


class LiveStudent(threading.Thread):
    """Starts a live run, polls it like the page's timer (a direct POST, as the poll skips the queue),
    moves beta now and then."""

    def __init__(self, url: str, until: float, seed: int, results: dict, lock: threading.Lock,
                 headers: dict | None = None):
        super().__init__(daemon=True)
        from gradio_client import Client
        self.client, self.until = Client(url, verbose=False, headers=headers), until
        self.poll = as_the_page_sends(self.client, "/live_status", headers)
        # the page's timer ticks this often (the app has one timer: the live run's)
        self.tick = next(c["props"]["value"] for c in self.client.config["components"] if c.get("type") == "timer")
        self.rng = random.Random(seed)
        self.results, self.lock = results, lock

    def run(self):
        try:
            self.client.predict("scratch", 2, 1.0, api_name="/live_start")
            while time.time() < self.until:
                t0 = time.perf_counter()
                self.poll()
                with self.lock:
                    self.results.setdefault("live status poll", []).append(time.perf_counter() - t0)
                if self.rng.random() < 0.05:
                    self.client.predict(self.rng.choice([0.25, 1.0, 4.0]), api_name="/live_set_beta")
                time.sleep(self.tick)
            self.client.predict(api_name="/live_stop")
        except Exception as e:
            with self.lock:
                self.results.setdefault("errors", []).append({"action": "live", "error": f"{type(e).__name__}: {e}"})


def _students(url: str, actions: dict, indices, live_indices, think: float, seconds: float, seed: int,
              vary_seeds: int, head, grace: float, drawings) -> tuple[dict, int, float, float]:
    """Students `indices` and live students `live_indices` of one class, as threads of this process, for
    `seconds` from now (their clients' connections included). Returns their results, how many are still
    waiting after `grace`, the CPU seconds this process took once they were connected, and when that was."""
    results: dict = {}
    lock = threading.Lock()
    until = time.time() + seconds
    threads = [Student(url, actions, think, until, seed + i, results, lock, vary_seeds, head(i), drawings)
               for i in indices]
    threads += [LiveStudent(url, until, seed + 1000 + j, results, lock, head(i)) for j, i in live_indices]
    started, cpu0 = time.time(), os.times()
    for t in threads:
        t.start()
    deadline = until + grace
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.time()))
    cpu1 = os.times()
    return results, sum(t.is_alive() for t in threads), (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system), started


def _students_in_a_process(conn, barrier, tls_per_request: bool, args: tuple, headers: list) -> None:
    """A child process's part of the class (--processes): waits for its siblings, then runs."""
    if not tls_per_request:
        share_tls_context()
    reopen_closed_streams()
    barrier.wait(timeout=300)
    conn.send(_students(*args[:8], headers.__getitem__, *args[8:]))
    conn.close()


def run_class(url: str, actions: dict, students: int, live: int, think: float, seconds: float, seed: int,
              vary_seeds: int = 0, headers=None, grace: float = 120.0, drawings: list | None = None,
              processes: int = 1, tls_per_request: bool = False) -> dict:
    """headers: None, or i -> the HTTP headers of student i's every request (the live students come after
    the clicking ones); scripts/bench_replicas.py gives each student an address of its own that way.
    drawings: with vary_seeds, the sketches a click's drawing is chosen from by its seed (with_seeds).
    processes: the students' threads split over this many processes (student i in process i mod
    processes; the live students likewise), each with its own interpreter lock, as a real class's
    browsers each have their own computer; 1: every student a thread of this process.
    Students still waiting for an answer `grace` seconds after the end are counted, not waited for."""
    head = headers or (lambda i: None)
    live_indices = [(j, students + j) for j in range(live)]
    if processes <= 1:
        results, waiting, students_cpu, t0 = _students(url, actions, range(students), live_indices, think, seconds,
                                                       seed, vary_seeds, head, grace, drawings)
    else:
        import multiprocessing
        ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or locks inherited
        barrier = ctx.Barrier(processes + 1)
        heads = [head(i) for i in range(students + live)]
        children = []
        for k in range(processes):
            mine, theirs = ctx.Pipe(duplex=False)
            part = (url, actions, range(k, students, processes), live_indices[k::processes], think, seconds,
                    seed, vary_seeds, grace, drawings)
            proc = ctx.Process(target=_students_in_a_process, args=(theirs, barrier, tls_per_request, part, heads),
                               daemon=True)
            proc.start()
            children.append((proc, mine))
        barrier.wait(timeout=300)  # every child has started its interpreter (else BrokenBarrierError): the class begins now
        results, waiting, students_cpu, t0 = {}, 0, 0.0, math.inf
        for proc, conn in children:
            part_results, part_waiting, part_cpu, part_started = conn.recv()
            proc.join()
            t0 = min(t0, part_started)
            for k, v in part_results.items():
                results.setdefault(k, []).extend(v)
            waiting, students_cpu = waiting + part_waiting, students_cpu + part_cpu
    wall = time.time() - t0
    by_action = {k: v for k, v in sorted(results.items()) if k not in ("errors", "live status poll")}
    clicks = [x for v in by_action.values() for x in v]
    return {"per_action": {k: stats(v) for k, v in sorted(results.items()) if k != "errors"},
            "overall": stats(clicks),
            # every click's latency (ms), by action: where the overall p95 falls, and which actions make the tail
            "latencies_ms": {k: sorted(round(1000 * x, 1) for x in v) for k, v in by_action.items()},
            "clicks": len(clicks), "clicks_per_second": round(len(clicks) / wall, 2),
            "errors": results.get("errors", []), "students_still_waiting": waiting, "wall_s": round(wall, 1),
            "students_cpu_s": round(students_cpu, 1), "processes": max(1, processes)}


def bytes_per_click(url: str, actions: dict) -> dict:
    """One call of each action: the answer's JSON (figures, text, tables; re-serialised from what the
    client received) and the images it links (downloaded files), in bytes."""
    from gradio_client import Client
    client = Client(url, verbose=False)
    out = {}
    for name, calls in actions.items():
        answer = images = 0
        for api_name, args in calls:
            result = client.predict(*args, api_name=api_name)
            for item in result if isinstance(result, (list, tuple)) else [result]:
                if isinstance(item, str) and os.path.isfile(item):
                    images += os.path.getsize(item)
                else:
                    answer += len(json.dumps(item, ensure_ascii=False).encode())
        out[name] = {"answer_bytes": answer, "image_bytes": images}
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--live", type=int, default=2, help="students running live training (within the trainer cap)")
    p.add_argument("--think", type=float, default=3.0, help="mean think time between clicks, seconds")
    p.add_argument("--seconds", type=float, default=90.0, help="length of each phase")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--vary-seeds", type=int, default=0, metavar="N",
                   help="each click of the app's class takes a random seed below N, and a drawing of one of "
                        "min(N, 81) (7s of other shapes) (0: every click the same settings, the "
                        "default; the app keeps recent posterior answers, so repeats are cheap)")
    p.add_argument("--port", type=int, default=7870)
    p.add_argument("--out", default=str(ROOT / "bench" / "classroom.json"))
    p.add_argument("--processes", type=int, default=1,
                   help="split the simulated students over this many processes, each with its own interpreter "
                        "lock (a real class's browsers each have their own computer); 1: all threads of this one")
    p.add_argument("--tls-per-request", action="store_true",
                   help="let every client request build its own TLS context, as gradio_client does")
    args = p.parse_args()
    if not args.tls_per_request:
        share_tls_context()
    reopen_closed_streams()
    from gradio_client import Client, handle_file

    report: dict = {"settings": vars(args), "machine": f"{os.cpu_count()} CPU cores",
                    "load_average_at_start": open("/proc/loadavg").read().split()[:3]}
    tmp = Path(tempfile.mkdtemp(prefix="bench_classroom_"))
    floor_script = tmp / "echo_app.py"
    floor_script.write_text(FLOOR_APP)

    # ---- the floor: a bare Gradio app, the same class clicking its one echo button
    floor = Server([sys.executable, str(floor_script)], args.port)
    report["floor"] = {"cold_start_s": round(floor.cold_start, 2), **floor.page_sizes(),
                       "rss_mb_before": round(floor.rss(), 1)}
    echo = {"echo": [("/echo", ["hello"])]}
    c = Client(floor.url, verbose=False)
    report["floor"]["one_client_round_trip"] = stats(round_trips(c, "echo", echo["echo"], 20))
    with fine_polling():
        report["floor"]["one_client_round_trip_fine"] = stats(round_trips(c, "echo", echo["echo"], 20))
    floor_watch = MemoryWatch(floor.proc.pid)
    floor_watch.start()
    report["floor"]["class"] = run_class(floor.url, echo, args.students, 0, args.think, args.seconds, args.seed,
                                         processes=args.processes, tls_per_request=args.tls_per_request)
    floor_watch.done.set()
    floor_watch.join()
    report["floor"]["class"]["cpu"] = floor_watch.cpu()
    report["floor"]["rss_mb_after"] = round(floor.rss(), 1)
    floor.close()
    print("floor:", json.dumps(report["floor"]["class"]["overall"]), flush=True)

    # ---- the app: the same class over all tabs, plus live trainers
    app = Server([sys.executable, "app.py"], args.port + 1)
    rss_before = app.rss()
    client = Client(app.url, verbose=False)
    api = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    sketch = {"background": None, "layers": [], "composite": handle_file(str(drawing(tmp / "seven.png")))}
    actions = app_actions(api, sketch)
    # with --vary-seeds, each click's drawing is one of up to 81 (7s of other shapes)
    drawings = [{"background": None, "layers": [], "composite": handle_file(str(drawing(tmp / f"seven{v}.png", v)))}
                for v in range(min(args.vary_seeds, 81))] or None
    report["app"] = {"cold_start_s": round(app.cold_start, 2), **app.page_sizes(),
                     "rss_mb_before": round(rss_before, 1)}
    one = {name: stats(round_trips(client, name, calls)) for name, calls in actions.items()}  # one client at a time
    with fine_polling():
        one_fine = {name: stats(round_trips(client, name, calls)) for name, calls in actions.items()}
    report["app"]["one_client_round_trip"] = one
    report["app"]["one_client_round_trip_fine"] = one_fine
    report["app"]["bytes_per_click"] = bytes_per_click(app.url, actions)
    if args.live:
        report["app"]["live_poll_cost"] = poll_cost(app.url, app.proc.pid)
        time.sleep(2)  # its trainer has stopped
    report["app"]["rss_mb_warm"] = round(app.rss(), 1)  # every action has run once: caches are filled
    watch = MemoryWatch(app.proc.pid)
    watch.start()
    report["app"]["class"] = run_class(app.url, actions, args.students, args.live, args.think, args.seconds, args.seed,
                                         args.vary_seeds, drawings=drawings, processes=args.processes,
                                         tls_per_request=args.tls_per_request)
    watch.done.set()
    watch.join()
    report["app"]["memory_peak_during_class"] = watch.peak
    report["app"]["class"]["cpu"] = watch.cpu()
    time.sleep(5)  # sessions close, trainers stop
    report["app"]["rss_mb_after"] = round(app.rss(), 1)
    time.sleep(25)  # and half a minute after the class: what the server keeps while idle
    report["app"]["rss_mb_after_30s"] = round(app.rss(), 1)
    report["app"]["trainer_processes_left_after_30s"] = len(children(app.proc.pid))
    app.close()

    # ---- ratios to the floor, measured in this run
    f1 = report["floor"]["one_client_round_trip"]["p50_ms"]
    f1_fine = report["floor"]["one_client_round_trip_fine"]["p50_ms"]
    fc = report["floor"]["class"]["overall"]
    ac = report["app"]["class"]["overall"]
    report["ratios"] = {
        "class_p50_vs_floor": round(ac["p50_ms"] / fc["p50_ms"], 2),
        "class_p95_vs_floor": round(ac["p95_ms"] / fc["p95_ms"], 2),
        "one_client_vs_floor": {k: round(v["p50_ms"] / f1, 2) for k, v in one.items()},
        "one_client_vs_floor_fine": {k: round(v["p50_ms"] / f1_fine, 2) for k, v in one_fine.items()},
        "cold_start_vs_floor": round(report["app"]["cold_start_s"] / report["floor"]["cold_start_s"], 2),
        "rss_after_vs_before_load": round(report["app"]["rss_mb_after"] / report["app"]["rss_mb_warm"], 3),
        "rss_30s_after_vs_before_load": round(report["app"]["rss_mb_after_30s"] / report["app"]["rss_mb_warm"], 3),
    }
    report["load_average_at_end"] = open("/proc/loadavg").read().split()[:3]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print_summary(report)
    print(f"wrote {out}")


def print_summary(r: dict) -> None:
    f, a = r["floor"], r["app"]
    print(f"\n{'':28s} {'n':>5s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s}")
    for name, s in a["class"]["per_action"].items():
        print(f"{name:28s} {s['n']:5d} {s['p50_ms']:8.0f} {s['p95_ms']:8.0f} {s['p99_ms']:8.0f}")
    for label, s in (("APP overall", a["class"]["overall"]), ("FLOOR (echo) overall", f["class"]["overall"])):
        print(f"{label:28s} {s['n']:5d} {s['p50_ms']:8.0f} {s['p95_ms']:8.0f} {s['p99_ms']:8.0f}")
    print(f"\nclass p95 vs floor: {r['ratios']['class_p95_vs_floor']}x; errors: {len(a['class']['errors'])}; "
          f"students still waiting at the end: {a['class']['students_still_waiting']}; "
          f"clicks/s {a['class']['clicks_per_second']} (floor {f['class']['clicks_per_second']})")
    print(f"one client at a time, p50 vs the echo round trip ({f['one_client_round_trip']['p50_ms']:.0f} ms, "
          "gradio_client's 50 ms polls):", r["ratios"]["one_client_vs_floor"])
    print(f"  the same with 2 ms polls (echo {f['one_client_round_trip_fine']['p50_ms']:.0f} ms):",
          r["ratios"]["one_client_vs_floor_fine"])
    for label, c in (("app", a["class"]), ("floor", f["class"])):
        n = max(1, c["clicks"])
        print(f"CPU during the {label}'s class: server {c['cpu']['server_s']} s + trainers {c['cpu']['trainers_s']} s, "
              f"simulated students {c['students_cpu_s']} s, over {c['wall_s']} s; per click: server "
              f"{1000 * c['cpu']['server_s'] / n:.0f} ms (live polls included), students {1000 * c['students_cpu_s'] / n:.0f} ms")
    if "live_poll_cost" in a:
        print("a live status poll, server CPU ms (round trip ms), in turns:",
              {way: f"{v['server_cpu_ms_per_poll']} ({v['round_trip_ms']})" for way, v in a["live_poll_cost"].items()})
    print("bytes per click:", {k: v["answer_bytes"] for k, v in a["bytes_per_click"].items()})
    for what in ("config", "page"):
        print(f"{what} (what a student downloads first): app {a[what + '_bytes']:,} B ({a[what + '_sent_bytes']:,} B sent), "
              f"floor {f[what + '_bytes']:,} B ({f[what + '_sent_bytes']:,} B sent)")
    print("memory at its peak during the class (live trainers are child processes):", a["memory_peak_during_class"])
    print(f"RSS: {a['rss_mb_before']:.0f} MB at start, {a['rss_mb_warm']:.0f} MB warm before the class, "
          f"{a['rss_mb_after']:.0f} MB 5 s after it, {a['rss_mb_after_30s']:.0f} MB 30 s after; cold start app {a['cold_start_s']} s, "
          f"floor {f['cold_start_s']} s ({r['ratios']['cold_start_vs_floor']}x)")


if __name__ == "__main__":
    main()
