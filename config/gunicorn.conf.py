"""Gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py` (see onestop-web.service).

Gunicorn listens on loopback only; nginx (config/nginx/onestop_tayninh.conf) terminates TLS and
proxies here. Run from the repository root (/opt/onestop_tayninh). Tunable from the environment
file /etc/onestop_tayninh/env: GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT, GUNICORN_BIND, GUNICORN_FORWARDED_ALLOW_IPS (documented in .env.example).

Metrics: with ONESTOP_METRICS_DIR set, the workers keep their Prometheus metrics in files under
<ONESTOP_METRICS_DIR>/web (prometheus_client's multiprocess mode), emptied when gunicorn starts; the
files of a worker that exits are folded into one archive (child_exit). core/monitoring/metrics.py has the rest.
"""

import glob
import os

_REPO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _cpu_count() -> int:
    # Respect CPU affinity / cgroup pinning when the platform exposes it.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


# Set before any worker imports prometheus_client: its multiprocess mode is decided at import.
_METRICS_DIR = os.environ.get("ONESTOP_METRICS_DIR", "").strip()
if _METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.path.join(_METRICS_DIR, "web")


def on_starting(server) -> None:
    """Once, in the master, before the first worker: the files of an earlier run are stale (their
    processes are gone, their counters would be added to the new ones forever)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        # The files, not the directory: systemd may have made it (RuntimeDirectory) under a parent we cannot write.
        for path in glob.glob(os.path.join(directory, "*.db")):
            os.remove(path)


def child_exit(server, worker) -> None:
    """A worker exited (recycled by max_requests, killed by the timeout, stopped): its counters and
    histograms are folded into the directory's archive files and its own files removed, so totals never
    go backwards and the directory does not grow with every recycled worker (core/monitoring/compaction.py)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        from onestop_tayninh.core.monitoring.compaction import archive_dead_process

        archive_dead_process(worker.pid, directory)


wsgi_app = "onestop_tayninh.wsgi:application"
pythonpath = os.path.join(_REPO_DIR, "apps", "onestop_tayninh")
chdir = _REPO_DIR
# Always the production settings: they refuse to start with DEBUG on or the development secret.
raw_env = ["DJANGO_SETTINGS_MODULE=onestop_tayninh.conf.production"]

# Loopback by default (nginx on this host); a host of several behind one nginx binds its private
# address (GUNICORN_BIND=10.0.0.11:8001) and lists nginx's address in GUNICORN_FORWARDED_ALLOW_IPS.
bind = os.environ.get("GUNICORN_BIND", "").strip() or "127.0.0.1:8001"
# Processes: CPU + 1, not gunicorn's 2 x CPU + 1: the requests are CPU-bound (templates, ORM), and
# more processes than CPUs only share the same CPUs. Capped so a big machine does not exhaust MariaDB's
# connections (each thread keeps one persistent connection, CONN_MAX_AGE): 17 x 4 = 68 per node.
workers = _env_int("GUNICORN_WORKERS", min(_cpu_count() + 1, 17))
# Threads in each process (gthread), not one request per process (sync): the desk's pages take 20-40 ms
# of CPU (100-150 ms under load) and the public pages 5-10 ms. With sync workers a citizen's page waits in the queue behind
# whatever pages of officials hold every worker; with threads it starts at once and shares the CPU. On
# the mixed load (bench/load, README "The mixed load test"), same machine, same hour: citizens' p50
# 254 -> 25 ms and p95 875 -> 364 ms, officials' p95 987 -> 752 ms, 46 -> 50 requests a second.
# nginx still buffers slow clients, so a thread is only busy while Django works.
worker_class = "gthread"
threads = _env_int("GUNICORN_THREADS", 4)
# Seconds a request may run before the worker is killed. PDFs and exports belong in RQ jobs,
# so a web request taking longer than this is a bug, not a reason to raise it. With threads the
# heartbeat comes from the process's main loop: this catches a process that hangs as a whole; one slow
# request holds only its own thread while the process's other threads go on serving.
timeout = _env_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak (fonts, templates, caches) cannot grow forever.
max_requests = 2000
max_requests_jitter = 200
# The worker heartbeat file: on tmpfs when available, so a slow disk cannot make the
# arbiter think a worker hangs.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - tmpfs, not a temp file
# Only nginx on this host may set X-Forwarded-Proto (wsgi.url_scheme follows it).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "").strip() or "127.0.0.1,::1"
proc_name = "onestop-web"
# Gunicorn's control socket (`gunicornc`) goes in the unit's RuntimeDirectory (/run/onestop-web);
# outside systemd it is off rather than created under $HOME.
if os.environ.get("RUNTIME_DIRECTORY"):
    control_socket = os.path.join(os.environ["RUNTIME_DIRECTORY"], "gunicorn.ctl")
else:
    control_socket_disable = True

# Logs go to stdout/stderr, that is the systemd journal (journalctl -u onestop-web).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Client address as nginx saw it, request, status, size, duration in ms, referrer, user agent.
access_log_format = '%({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
