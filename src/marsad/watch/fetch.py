"""HTTP(S) fetching for ``marsad watch``: a size cap, timeouts, retries with exponential backoff.

Requires: a URL. Provides: :class:`Fetched` (the body, its declared charset, the final URL) or
one :class:`FetchError` once every attempt failed. Nothing here knows about feeds or articles.

Why urllib and not a client library: one GET with a timeout is all a feed poller needs, and the
standard library keeps ``marsad watch`` free of another dependency. What it adds:

* ``timeout`` bounds each blocking socket operation, and ``deadline`` the whole download, so a
  server that sends a byte every few seconds cannot hold a poll forever;
* a response larger than ``max_bytes`` is refused: at once when its ``Content-Length`` says so,
  else after reading ``max_bytes + 1`` bytes (a missing or understated length is no way around it);
* connection errors, timeouts, HTTP 429 and 5xx are retried ``retries`` times, waiting
  ``backoff * 2**n`` seconds before retry ``n + 1`` (capped at ``max_wait``); other HTTP errors
  (404, 403 ...) are final at once, as asking again will not change them;
* ``stop`` (a ``threading.Event``) abandons the download between chunks and the waits between
  attempts; :func:`downloading` tells a signal handler that it may abandon a read blocked on the
  socket at once (``loop.stop_on_signals`` does), so a SIGTERM never waits out a timeout.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message

from marsad import __version__
from marsad.errors import MarsadError

log = logging.getLogger(__name__)

USER_AGENT = f"marsad-watch/{__version__} (+offline news event extraction)"
DEFAULT_MAX_BYTES = 16 << 20
_CHUNK = 1 << 16


class FetchError(MarsadError):
    """A URL could not be fetched (after its retries); ``retryable`` says whether a later poll may succeed."""

    def __init__(self, url: str, reason: str, retryable: bool = True) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason, self.retryable = url, reason, retryable


class Stopped(MarsadError):
    """The watcher was asked to stop while a fetch was in progress."""


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # after redirects
    body: bytes
    charset: str | None
    content_type: str
    etag: str | None = None  # validators for the next request's If-None-Match / If-Modified-Since
    last_modified: str | None = None
    not_modified: bool = False  # HTTP 304 to a conditional request: the body is empty


@dataclass(frozen=True, slots=True)
class FetchSettings:
    timeout: float = 20.0  # seconds per blocking socket operation
    deadline: float = 60.0  # seconds for a whole download
    retries: int = 2  # further attempts after the first
    backoff: float = 2.0  # seconds before the first retry, doubled each time
    max_wait: float = 60.0
    max_bytes: int = DEFAULT_MAX_BYTES

    def __post_init__(self) -> None:
        if not (self.timeout > 0 and self.deadline > 0 and self.max_bytes > 0):
            raise MarsadError("the fetch timeout, deadline and size cap must be more than 0")
        if self.retries < 0 or self.backoff < 0 or self.max_wait < 0:
            raise MarsadError("fetch retries and backoff cannot be negative")


def _charset(headers: Message) -> str | None:
    return headers.get_content_charset()


# Downloads in progress, per thread: a signal handler (run in the main thread) may abandon one by
# raising Stopped, since a download writes nothing; anywhere else, it could cut a write in half.
_local = threading.local()


def downloading() -> bool:
    """Whether this thread is inside a download (between connecting and the last byte)."""
    return getattr(_local, "depth", 0) > 0


@contextlib.contextmanager
def _download() -> Iterator[None]:
    _local.depth = getattr(_local, "depth", 0) + 1
    try:
        yield
    finally:
        _local.depth -= 1


def _get_once(url: str, settings: FetchSettings, stop: threading.Event, kinds: tuple[str, ...],
              headers: dict[str, str]) -> Fetched:
    with _download():
        return _get(url, settings, stop, kinds, headers)


def _get(url: str, settings: FetchSettings, stop: threading.Event, kinds: tuple[str, ...],
         headers: dict[str, str]) -> Fetched:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*", **headers})
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=settings.timeout) as response:  # noqa: S310 - http(s) only
        ctype = response.headers.get_content_type()
        if kinds and not any(k in ctype for k in kinds):  # a video or a PDF behind an article link
            raise FetchError(url, f"not a page: {ctype}", retryable=False)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > settings.max_bytes:  # refused before reading it
            raise FetchError(url, f"too large: {declared} bytes", retryable=False)
        chunks: list[bytes] = []
        size = 0
        while True:
            if stop.is_set():
                raise Stopped(f"{url}: stopped during the download")
            if time.monotonic() - started > settings.deadline:
                raise TimeoutError(f"download took longer than {settings.deadline:g} s")
            chunk = response.read(min(_CHUNK, settings.max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > settings.max_bytes:
                raise FetchError(url, f"too large: >{settings.max_bytes} bytes", retryable=False)
        return Fetched(response.geturl(), b"".join(chunks), _charset(response.headers), ctype,
                       response.headers.get("ETag"), response.headers.get("Last-Modified"))


def fetch(url: str, settings: FetchSettings | None = None, stop: threading.Event | None = None,
          kinds: tuple[str, ...] = (), since: Fetched | None = None) -> Fetched:
    """GET ``url`` with the cap, timeouts and retries of ``settings``; raise :class:`FetchError`.
    With ``kinds``, a response whose content type contains none of them (``("html",)``) is refused
    before its body is read. With ``since`` (the last response), the request is conditional, and
    an unchanged resource comes back as ``not_modified`` without a body (a feed polled every few
    minutes mostly has not changed: the server sends nothing, and nothing is parsed again)."""
    settings = settings or FetchSettings()
    stop = stop or threading.Event()
    if not url.lower().startswith(("http://", "https://")):
        raise FetchError(url, "not an http(s) URL", retryable=False)
    headers: dict[str, str] = {}
    if since is not None and since.etag:
        headers["If-None-Match"] = since.etag
    if since is not None and since.last_modified:
        headers["If-Modified-Since"] = since.last_modified
    attempt = 0
    while True:
        try:
            return _get_once(url, settings, stop, kinds, headers)
        except urllib.error.HTTPError as exc:
            if exc.code == 304 and since is not None:
                return Fetched(url, b"", None, "", since.etag, since.last_modified, not_modified=True)
            retryable = exc.code == 429 or exc.code >= 500
            reason = f"HTTP {exc.code} {exc.reason}"
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
            # URLError wraps refused connections and DNS failures, socket timeouts are TimeoutError
            # (an OSError), and a server that breaks the protocol raises HTTPException or ValueError
            retryable = True
            reason = f"{type(exc).__name__}: {getattr(exc, 'reason', None) or exc}"
        if not retryable or attempt >= settings.retries:
            raise FetchError(url, reason, retryable)
        wait = min(settings.backoff * 2**attempt, settings.max_wait)
        attempt += 1
        log.warning("%s: %s; retry %d of %d in %.1f s", url, reason, attempt, settings.retries, wait)
        if stop.wait(wait):
            raise Stopped(f"{url}: stopped while waiting to retry")
