"""A minimal Scrapyd API client that checks every answer.

Scrapyd reports errors as HTTP 200 with ``{"status": "error", "message": ...}``; every call
here raises :class:`ScrapydError` unless the JSON says ``"status": "ok"``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urljoin
from urllib.request import Request, urlopen

TIMEOUT = 30


class ScrapydError(RuntimeError):
    """Scrapyd could not be reached or answered with an error."""


def call(
    base_url: str,
    endpoint: str,
    *,
    query: dict[str, str] | None = None,
    form: Iterable[tuple[str, str]] | None = None,
    files: dict[str, tuple[str, bytes]] | None = None,
) -> dict[str, Any]:
    """GET (``query``) or POST (``form``/``files``) an endpoint; return the JSON of an ``ok`` answer."""
    url = urljoin(base_url.rstrip("/") + "/", endpoint)
    if query:
        url += "?" + urlencode(query)
    data = headers = None
    if files:
        data, content_type = _multipart(list(form or ()), files)
        headers = {"Content-Type": content_type}
    elif form is not None:
        data = urlencode(list(form)).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
    request = Request(url, data=data, headers=headers or {})
    try:
        with urlopen(request, timeout=TIMEOUT) as response:
            body = response.read()
    except HTTPError as error:
        body = error.read()
        if not body:
            raise ScrapydError(f"{url}: HTTP {error.code}") from None
    except (URLError, OSError) as error:
        raise ScrapydError(f"{url}: cannot reach Scrapyd ({error})") from None
    try:
        answer = json.loads(body)
    except ValueError:
        raise ScrapydError(f"{url}: not a JSON answer: {body[:200]!r}") from None
    if not isinstance(answer, dict) or answer.get("status") != "ok":
        message = answer.get("message", answer) if isinstance(answer, dict) else answer
        raise ScrapydError(f"{endpoint}: Scrapyd answered with an error: {message}")
    return answer


def _multipart(form: list[tuple[str, str]], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in form:
        header = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{header}{value}\r\n".encode())
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
