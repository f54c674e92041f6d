"""Virus scanning through a ClamAV daemon (clamd's INSTREAM command), when one is configured."""

from __future__ import annotations

import socket
import struct
from typing import IO

from flask import current_app

CLEAN = "clean"
NOT_SCANNED = "not_scanned"
CHUNK = 64 * 1024


class Infected(Exception):
    """The scanner found something: the file is refused."""


class ScannerUnavailable(Exception):
    """A scanner is configured but did not answer: the file is refused rather than let through unscanned."""


def _connect() -> socket.socket | None:
    config = current_app.config
    timeout = float(config.get("CLAMD_TIMEOUT") or 30)
    if config.get("CLAMD_SOCKET"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(config["CLAMD_SOCKET"])
        return sock
    if config.get("CLAMD_HOST"):
        return socket.create_connection((config["CLAMD_HOST"], int(config.get("CLAMD_PORT") or 3310)), timeout=timeout)
    return None


def scan(stream: IO[bytes]) -> str:
    """CLEAN or NOT_SCANNED (no scanner configured); raises Infected or ScannerUnavailable."""
    try:
        sock = _connect()
        if sock is None:
            return NOT_SCANNED
        with sock:
            reply = _instream(sock, stream)
    except OSError as error:
        raise ScannerUnavailable(str(error)) from error
    if reply.endswith("FOUND"):
        raise Infected(reply)
    if not reply.endswith("OK"):
        raise ScannerUnavailable(reply)
    return CLEAN


def _instream(sock: socket.socket, stream: IO[bytes]) -> str:
    """Send the bytes in length-prefixed chunks, a zero-length chunk to end, and read clamd's verdict."""
    stream.seek(0)
    sock.sendall(b"zINSTREAM\0")
    while chunk := stream.read(CHUNK):
        sock.sendall(struct.pack("!L", len(chunk)) + chunk)
    sock.sendall(struct.pack("!L", 0))
    reply = b""
    while not reply.endswith(b"\0") and (data := sock.recv(4096)):
        reply += data
    stream.seek(0)
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()
