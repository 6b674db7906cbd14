"""Several replicas of the app behind nginx with sticky sessions, tried on one machine.

    python scripts/bench_replicas.py                          # 2 replicas, nginx ip_hash, 30 students + 2 live, 60 s
    python scripts/bench_replicas.py --balance round_robin    # the same without sticky sessions
    python scripts/bench_replicas.py --balance nat            # a whole room behind one address (one NAT)
    python scripts/bench_replicas.py --print-config           # the nginx configuration to deploy, and exit
    python scripts/bench_replicas.py --serve 600 &            # a browser through it: bench_browser.py --app-url

Needs nginx (Debian: `apt install nginx`); it is not part of the tests. Starts N replicas
(`python app.py`, each on its own port with EXPLORER_MAX_TRAINERS=1) and one nginx in front of them,
then runs `bench_classroom.py`'s class through nginx: every student its own gradio_client, clicking
the main actions of all four tabs, and a few students training live.

Why sticky sessions: a page's clicks go to gradio's queue as two requests (join, then the event
stream), its session state and its live trainer live in one replica's memory, and a file a click
produced is served by the replica that wrote it. nginx's `ip_hash` keeps every request of one address
on one replica. Here all students run on one machine, so each one sends the header
`X-Student-Address: 10.x.y.7` (a /24 of its own: ip_hash keys on an IPv4 address's first three octets)
and, for this benchmark only, nginx takes the client's address from that header (its realip module),
as it would see each student's own machine on a campus network. `--balance nat` gives every student
the same address, as a room behind one NAT router would; `round_robin` drops `ip_hash`.

Prints and writes (bench/replicas.json): the students each replica served, the students whose
requests reached more than one replica, errors, p50 / p95 per action and overall, clicks per second.
The replicas share this machine's two cores, so their capacity is not the point here (one replica's
is measured by `bench_classroom.py --students N`); whether a class works through the balancer is.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_classroom import (ROOT, Server, app_actions, drawing, reopen_closed_streams, run_class,  # noqa: E402
                             share_tls_context)

ADDRESS_HEADER = "X-Student-Address"

# what a deployment needs, whatever balances: HTTP/1.1 to the replicas, the event stream passed on as
# it is written (no buffering, long reads), the page's host and scheme forwarded, uploads up to the
# app's max_file_size (2 MB, app.py)
LOCATION = """        location / {
            proxy_pass http://explorer;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_buffering off;
            proxy_cache off;
            proxy_read_timeout 3600s;
        }"""


def nginx_conf(listen: int, ports: list[int], balance: str = "ip_hash", prefix: Path | None = None) -> str:
    """nginx's configuration: with `prefix`, the benchmark's (its files under prefix, the students'
    addresses taken from ADDRESS_HEADER); without, the one to deploy."""
    sticky = "" if balance == "round_robin" else "        ip_hash;  # one address, one replica\n"
    servers = "".join(f"        server 127.0.0.1:{p};\n" for p in ports)
    if prefix is None:
        head, logs, bench = "", "", ""
    else:
        head = (f"pid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\n")
        logs = (f"    log_format upstreams '$remote_addr $upstream_addr $status \"$request\"';\n"
                f"    access_log {prefix}/access.log upstreams;\n"
                + "".join(f"    {k}_temp_path {prefix}/{k};\n"
                          for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")))
        bench = (f"        # the benchmark only: each simulated student's address from its header\n"
                 f"        set_real_ip_from 127.0.0.1;\n        real_ip_header {ADDRESS_HEADER};\n")
    return (f"{head}worker_processes 1;\nevents {{ worker_connections 1024; }}\nhttp {{\n{logs}"
            "    map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n"
            f"    upstream explorer {{\n{sticky}{servers}    }}\n"
            f"    server {{\n        listen {listen};\n        client_max_body_size 2m;\n"
            f"{bench}{LOCATION}\n    }}\n}}\n")


def student_address(i: int, balance: str) -> str:
    """Student i's address: a /24 of its own, or one for the whole room behind a NAT."""
    return "10.1.0.7" if balance == "nat" else f"10.{1 + i // 250}.{i % 250}.7"


def read_access_log(path: Path) -> dict:
    """Which replicas each address reached, and nginx's statuses."""
    reached: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    statuses: collections.Counter = collections.Counter()
    for line in path.read_text().splitlines():
        parts = line.split(" ", 3)
        if len(parts) < 4:
            continue
        address, upstream, status = parts[:3]
        statuses[status] += 1
        if upstream != "-":
            reached[address][upstream] += 1
    return {"reached": reached, "statuses": dict(statuses)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--replicas", type=int, default=2)
    p.add_argument("--balance", choices=["ip_hash", "round_robin", "nat"], default="ip_hash")
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--live", type=int, default=2)
    p.add_argument("--think", type=float, default=3.0)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--grace", type=float, default=30.0,
                   help="seconds after the end to wait for answers; students still waiting then are counted")
    p.add_argument("--port", type=int, default=7890, help="nginx's port; the replicas take the next ones")
    p.add_argument("--print-config", action="store_true", help="print the nginx configuration to deploy and exit")
    p.add_argument("--serve", type=float, metavar="SECONDS",
                   help="no class: keep the replicas and nginx running this long, e.g. for "
                        "`bench_browser.py --app-url http://127.0.0.1:7890/` (a browser through the balancer)")
    p.add_argument("--out", default=str(ROOT / "bench" / "replicas.json"))
    args = p.parse_args()
    ports = [args.port + 1 + i for i in range(args.replicas)]
    if args.print_config:
        print(nginx_conf(80, ports, args.balance))
        return
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        sys.exit("nginx is not installed (Debian: apt install nginx)")
    share_tls_context()
    reopen_closed_streams()
    from gradio_client import Client, handle_file

    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # `kill`: stop nginx and the replicas too

    prefix = Path(tempfile.mkdtemp(prefix="bench_replicas_"))
    prefix.chmod(0o755)
    replicas, proxy = [], None
    try:
        for port in ports:
            replicas.append(Server([sys.executable, "app.py"], port, env={"EXPLORER_MAX_TRAINERS": "1"}))
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_conf(args.port, ports, args.balance, prefix))
        # nginx in the foreground, waited for as the replicas are (its first HTTP 200 through to a replica)
        proxy = Server([nginx, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"], args.port)
        url = proxy.url
        if args.serve:
            print(f"serving {url} (nginx, {args.balance}) for {args.serve:g} s", flush=True)
            time.sleep(args.serve)
            log = read_access_log(prefix / "access.log")
            print(f"requests per replica: {dict(sum(log['reached'].values(), collections.Counter()))}, "
                  f"statuses {log['statuses']}")
            return
        (prefix / "access.log").write_text("")  # the class's requests only
        os.kill(proxy.proc.pid, 10)  # SIGUSR1: nginx reopens its log
        time.sleep(0.5)

        setup = Client(url, verbose=False, headers={ADDRESS_HEADER: "10.250.0.7"})
        api = set(setup.view_api(return_format="dict", print_info=False)["named_endpoints"])
        sketch = {"background": None, "layers": [], "composite": handle_file(str(drawing(prefix / "seven.png")))}
        actions = app_actions(api, sketch)
        n = args.students + args.live
        addresses = [student_address(i, args.balance) for i in range(n)]
        result = run_class(url, actions, args.students, args.live, args.think, args.seconds, args.seed,
                           headers=lambda i: {ADDRESS_HEADER: addresses[i]}, grace=args.grace)
        time.sleep(1)
        log = read_access_log(prefix / "access.log")
    finally:
        if proxy is not None:
            proxy.close()
        for r in replicas:
            r.close()

    students = set(addresses)
    reached = {a: c for a, c in log["reached"].items() if a in students}
    served = collections.Counter(next(iter(c)) for c in reached.values() if len(c) == 1)
    report = {
        "settings": vars(args), "machine": f"{os.cpu_count()} CPU cores",
        "replicas": [f"127.0.0.1:{p}" for p in ports],
        "addresses": len(students),
        "addresses_per_replica": dict(served),
        "addresses_on_several_replicas": sum(len(c) > 1 for c in reached.values()),
        "requests_per_replica": dict(sum(reached.values(), collections.Counter())),
        # requests that reached nginx without the students' header (gradio_client sends it on each one)
        "requests_without_a_student_address": sum(log["reached"].get("127.0.0.1", {}).values()),
        "nginx_statuses": log["statuses"],
        "class": result,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1))
    c = result
    print(f"{args.replicas} replicas, {args.balance}, {args.students} students + {args.live} live, {args.seconds:g} s: "
          f"{c['clicks']} clicks ({c['clicks_per_second']}/s), p50 {c['overall']['p50_ms']} ms, "
          f"p95 {c['overall']['p95_ms']} ms, {len(c['errors'])} errors, "
          f"{c['students_still_waiting']} students still waiting for an answer {args.grace:g} s after the end")
    print(f"addresses per replica {report['addresses_per_replica']}, on several replicas "
          f"{report['addresses_on_several_replicas']}, requests per replica {report['requests_per_replica']}, "
          f"without a student address {report['requests_without_a_student_address']}, statuses {log['statuses']}")
    for e in c["errors"][:5]:
        print("error:", e)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
