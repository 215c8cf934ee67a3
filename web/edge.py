"""What every request must look like before the app reads it.

Hostile or broken input is refused here with a clear German message and a 4xx, before any
route, service or database sees it: a body larger than the app ever needs (413), bytes that
are not UTF-8, NUL bytes and other control characters in the address, a form or a JSON body
(400), a query parameter given twice (400). Nothing is written for a refused request.
"""

import html
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.limits import BODY_BYTES, TEXT_PATTERN, UPLOAD_BYTES

_METHODS_WITH_BODY = {"POST", "PUT", "PATCH"}


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def has_control_characters(text: str) -> bool:
    """Tab, line feed and carriage return are text (a note's lines); every other control
    character (and NUL, which PostgreSQL cannot store) is not (``core.limits.TEXT_PATTERN``)."""
    return _TEXT.fullmatch(text) is None


_TEXT = re.compile(TEXT_PATTERN)


# The routes that take a signed consent form (a scan, up to UPLOAD_BYTES; base64 in the API's JSON).
_UPLOADS = re.compile(r"^/(api/)?cases/\d{1,12}/(einwilligungen|consents)/[a-z_]{1,40}$")
UPLOAD_LIMIT = UPLOAD_BYTES * 4 // 3 + 64 * 1024


class InputGuard:
    """ASGI middleware: refuse malformed input with 4xx before the app sees it."""

    def __init__(self, app: ASGIApp, max_body: int = BODY_BYTES) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            _check_target(scope)
            if scope["method"] in _METHODS_WITH_BODY:
                limit = UPLOAD_LIMIT if _UPLOADS.match(scope["path"]) else self.max_body
                body = await _read_body(scope, receive, limit)
                _check_body(scope, body)
                receive = _replay(body, receive)
        except Refused as refused:
            await _answer(scope, send, refused)
            return
        await self.app(scope, receive, send)


def _check_target(scope: Scope) -> None:
    raw_path = scope.get("raw_path") or scope["path"].encode()
    _text(unquote_to_bytes(raw_path), "Die Adresse")
    names = []
    for raw_name, raw_value in _pairs(scope.get("query_string", b"")):
        name = _text(raw_name, "Ein Parameter")
        _text(raw_value, f"Der Parameter „{name[:30]}“")
        names.append(name)
    if scope["path"].startswith("/api/"):
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise Refused(400, f"Parameter doppelt angegeben: {', '.join(twice)[:100]}.")


def _pairs(encoded: bytes) -> Iterator[tuple[bytes, bytes]]:
    """``a=1&b=%00`` as raw bytes, decoded from %-escapes but not yet from UTF-8."""
    for part in encoded.split(b"&"):
        if part:
            name, _, value = part.replace(b"+", b" ").partition(b"=")
            yield unquote_to_bytes(name), unquote_to_bytes(value)


def _text(raw: bytes | str, what: str) -> str:
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise Refused(400, f"{what} ist kein gültiger Text (UTF-8).") from None
    if has_control_characters(text):
        raise Refused(400, f"{what} enthält unzulässige Steuerzeichen (z. B. ein Null-Byte).")
    return text


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    declared = dict(scope["headers"]).get(b"content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise Refused(413, f"Die Anfrage ist zu groß (höchstens {limit // 1024} KB).")
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"Die Anfrage ist zu groß (höchstens {limit // 1024} KB).")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _check_body(scope: Scope, body: bytes) -> None:
    content_type = dict(scope["headers"]).get(b"content-type", b"").split(b";")[0].strip()
    if content_type == b"application/x-www-form-urlencoded":
        for raw_name, raw_value in _pairs(body):
            field = _text(raw_name, "Ein Feldname")
            _text(raw_value, f"Das Feld „{field[:30]}“")
    elif content_type == b"application/json" or content_type.endswith(b"+json"):
        text = _text(body, "Der Inhalt") if body else ""
        try:
            document = json.loads(text) if text else None
        except json.JSONDecodeError:
            return  # not JSON: the route says so (422, with the field)
        for string in _strings(document):
            _text(string, "Ein Textfeld")
    elif body and content_type != b"multipart/form-data":
        _text(body, "Der Inhalt")


def _strings(document: Any) -> Iterator[str]:
    if isinstance(document, str):
        yield document
    elif isinstance(document, dict):
        for key, value in document.items():
            yield key
            yield from _strings(value)
    elif isinstance(document, list):
        for item in document:
            yield from _strings(item)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body once more for the app; after it, the connection's own messages (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _answer(scope: Scope, send: Send, refused: Refused) -> None:
    if scope["path"].startswith("/api/"):
        body = json.dumps({"detail": refused.message}, ensure_ascii=False).encode()
        content_type = b"application/json"
    else:
        page = (
            '<!doctype html><html lang="de"><meta charset="utf-8"><title>Anfrage abgelehnt</title>'
            f"<main><h1>Anfrage abgelehnt</h1><p>{html.escape(refused.message)}</p>"
            '<p><a href="/">Zur Startseite</a></p></main></html>'
        )
        body, content_type = page.encode(), b"text/html; charset=utf-8"
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": refused.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
