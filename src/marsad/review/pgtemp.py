"""A throwaway PostgreSQL cluster on 127.0.0.1 for the tests and the load bench.

Uses the server binaries of the machine (Debian's ``/usr/lib/postgresql/<v>/bin``). ``initdb``
refuses to run as root, so as root the cluster belongs to the ``postgres`` system user (or
``nobody``) and lives in a temporary directory that user owns. Nothing is left behind:
:meth:`TempCluster.stop` stops the server and removes the directory.
"""

from __future__ import annotations

import glob
import logging
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

log = logging.getLogger(__name__)


def server_bin() -> Path | None:
    """The directory of ``initdb`` and ``pg_ctl`` (the newest installed version), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TempCluster:
    """``with TempCluster() as pg: pg.create_db("t1")`` gives ``postgresql://`` URLs."""

    def __init__(self) -> None:
        bindir = server_bin()
        if bindir is None:
            raise FileNotFoundError("no PostgreSQL server binaries (initdb) on this machine")
        self.bindir = bindir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="marsad-pg-"))
        self.user: str | None = None
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    pw = pwd.getpwnam(name)
                except KeyError:
                    continue
                self.user = name
                os.chown(self.dir, pw.pw_uid, pw.pw_gid)
                break
            else:
                raise PermissionError("running as root and no 'postgres' or 'nobody' user to run initdb as")

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        if res.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {res.stderr.strip() or res.stdout.strip()}")

    def start(self) -> TempCluster:
        data = self.dir / "data"
        self._run("initdb", "-D", str(data), "-U", "marsad", "--auth=trust", "-E", "UTF8", "--no-locale")
        # no fsync: a throwaway cluster; the socket in our own directory, TCP only on 127.0.0.1
        opts = f"-p {self.port} -h 127.0.0.1 -k {self.dir} -F -c max_connections=200"
        self._run("pg_ctl", "-D", str(data), "-o", opts, "-l", str(self.dir / "log"), "-w", "start")
        log.info("PostgreSQL on 127.0.0.1:%d in %s", self.port, self.dir)
        return self

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://marsad@127.0.0.1:{self.port}/{db}"

    def create_db(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            if (self.dir / "data" / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> TempCluster:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
