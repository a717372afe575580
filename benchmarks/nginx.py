"""nginx on 127.0.0.1 serving a static mirror, with its own config in a temporary folder.

Requests map to the files ``mirror.py`` writes: ``?page=N`` (digits only) selects
``<path>__page_N.html``, a trailing slash is dropped, HTML pages are tried as ``<path>.html``
and everything else by its own path. One worker process: the crawler gets the other core.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

CONFIG = """\
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{
        text/html html;
        application/xml xml;
        application/rss+xml rss;
        text/plain txt;
        text/css css;
        application/javascript js;
    }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/html text/plain application/xml application/rss+xml;
    log_format bench '$request_method $request_uri $status $body_bytes_sent';
    access_log {prefix}/access.log bench;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    server_tokens off;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    map $arg_page $page_suffix {{
        default "";
        "1" "";
        "~^[0-9]{{1,6}}$" "__page_$arg_page";
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name _;
        root {root};
        location = / {{
            try_files /index.html =404;
        }}
        location / {{
            rewrite ^(.+)/$ $1 break;
            try_files $uri$page_suffix.html $uri =404;
        }}
    }}
}}
"""


def find_binary(name: str, package: str, log: Callable[[str], None] = print) -> str | None:
    """Path of ``name``; installs Debian's ``package`` first when missing and running as root."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if found or os.geteuid() != 0 or shutil.which("apt-get") is None:
        return found
    log(f"installing {package} with apt-get …")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", package]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
        subprocess.run(install, env=env, capture_output=True)
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    """Block until something accepts connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Nginx:
    """One nginx master (and worker) serving ``root`` on 127.0.0.1; stop it with :meth:`stop`."""

    def __init__(self, root: Path, prefix: Path, binary: str) -> None:
        self.root, self.prefix, self.binary = root, prefix, binary
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """Origin to crawl."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        """The access log: ``METHOD target status bytes`` per line, unbuffered."""
        return self.prefix / "access.log"

    def version(self) -> str:
        """``nginx/1.22.1``."""
        done = subprocess.run([self.binary, "-v"], capture_output=True, text=True)
        return (done.stderr or done.stdout).strip().split(":")[-1].strip()

    def start(self) -> Nginx:
        """Write the config, start nginx in the foreground as a child and wait for its port."""
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        conf = self.prefix / "nginx.conf"
        conf.write_text(CONFIG.format(prefix=self.prefix, port=self.port, root=self.root))
        cmd = [self.binary, "-p", str(self.prefix), "-e", str(self.prefix / "error.log"), "-c", str(conf)]
        check = subprocess.run([*cmd, "-t"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx config rejected: {check.stderr.strip()}")
        self.process = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        atexit.register(self.stop)
        try:
            wait_for_port(self.port)
        except OSError:
            self.stop()
            raise RuntimeError(f"nginx did not start; see {self.prefix / 'error.log'}") from None
        return self

    def stop(self) -> None:
        """Stop nginx (graceful quit, then kill) and its worker."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def log_offset(self) -> int:
        """Current size of the access log (a run's requests are what is written after it)."""
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def requests_since(self, offset: int) -> list[tuple[str, str, int]]:
        """``(method, target, status)`` of every request logged after ``offset``."""
        with self.access_log.open("rb") as log:
            log.seek(offset)
            lines = log.read().decode("utf-8", "replace").splitlines()
        out = []
        for line in lines:
            method, target, status, _size = line.split(" ")
            out.append((method, target, int(status)))
        return out

    def __enter__(self) -> Nginx:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
