"""A request body whose HTTP framing is broken is the sender's mistake: the portal under gunicorn
answers its own 400 page, not a 500. gunicorn decodes a chunked body only when the form is read,
so its error surfaces inside the application (raw sockets here: no HTTP client sends such bodies)."""
from __future__ import annotations

import socket
from urllib.parse import urlsplit

BROKEN_CHUNKED_BODIES = {
    "chunk size that is not a number": b"zz\r\nlogin=x\r\n0\r\n\r\n",
    "chunk longer than its size": b"3\r\nlogin=x\r\n0\r\n\r\n",
    "negative chunk size": b"-5\r\nlogin\r\n0\r\n\r\n",
}


def _raw_post(base: str, path: str, body: bytes) -> tuple[str, str]:
    address = urlsplit(base)
    with socket.create_connection((address.hostname, address.port), timeout=60) as connection:
        connection.sendall(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: localhost\r\n"
                           b"Content-Type: application/x-www-form-urlencoded\r\nAccept-Language: en\r\n"
                           b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + body)
        answer = b""
        while data := connection.recv(65536):
            answer += data
    head, _, page = answer.decode(errors="replace").partition("\r\n\r\n")
    return head.split("\r\n")[0], page


def test_a_broken_chunked_body_is_a_bad_request(gunicorn_server):
    for broken, body in BROKEN_CHUNKED_BODIES.items():
        for path in ("/login", "/join"):
            status_line, page = _raw_post(gunicorn_server, path, body)
            assert status_line.startswith("HTTP/1.1 400"), (broken, path, status_line, page[:300])
            assert "Something in the request was not right" in page
