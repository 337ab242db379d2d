"""A loopback look-alike of ComfyUI that misbehaves on demand, for fault-injection tests.

``FaultServer(faults)`` answers like a small ComfyUI 0.3.75; ``faults`` maps a
request path (without query) to a behaviour that replaces the normal answer:
``status(401)``, ``hang()``, ``trickle(body)``, ``reset_mid_body()``,
``redirect(url)``, ``raw(bytes)``, ``gzip_bomb(n)`` … Every request is logged
with its raw target and headers so tests can assert what was sent where.
"""

from __future__ import annotations

import gzip
import json
import socket
import ssl
import subprocess
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

Behaviour = Callable[[BaseHTTPRequestHandler], None]

SYSTEM_STATS: dict[str, Any] = {
    "system": {"os": "posix", "ram_total": 8 << 30, "ram_free": 4 << 30, "comfyui_version": "0.3.75",
               "python_version": "3.11", "pytorch_version": "2.5", "argv": ["main.py"]},
    "devices": [{"name": "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync", "type": "cuda", "index": 0,
                 "vram_total": 24 << 30, "vram_free": 20 << 30, "torch_vram_total": 0, "torch_vram_free": 0}],
}
FOLDERS: dict[str, list[str]] = {
    "checkpoints": ["sd_xl_base_1.0.safetensors", "v1-5-pruned-emaonly.ckpt"],
    "vae": ["ae.safetensors"],
}


def object_info(checkpoints: list[str]) -> dict[str, Any]:
    return {
        "CheckpointLoaderSimple": {
            "input": {"required": {"ckpt_name": [checkpoints, {}]}},
            "output": ["MODEL", "CLIP", "VAE"], "name": "CheckpointLoaderSimple",
            "display_name": "Load Checkpoint", "category": "loaders", "python_module": "nodes",
        },
        "VAELoader": {
            "input": {"required": {"vae_name": [["ae.safetensors"], {}]}},
            "output": ["VAE"], "name": "VAELoader", "category": "loaders", "python_module": "nodes",
        },
    }


@dataclass
class Seen:
    target: str  # the raw request target, exactly as the client sent it
    headers: dict[str, str]

    @property
    def path(self) -> str:
        return urlsplit(self.target).path


@dataclass
class FaultServer:
    """A threaded loopback server; use as a context manager, then ``.url``."""

    faults: dict[str, Behaviour] = field(default_factory=dict)
    folders: dict[str, list[str]] = field(default_factory=lambda: dict(FOLDERS))
    seen: list[Seen] = field(default_factory=list)
    tls: tuple[str, str] | None = None  # (certificate, key) PEM files: serve https

    def __enter__(self) -> FaultServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 30  # a client that never finishes its handshake or request frees the thread

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                owner.seen.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}))
                path = urlsplit(self.path).path
                behaviour = owner.faults.get(path) or owner.faults.get(unquote(path)) or owner.normal
                try:
                    behaviour(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            # The handshake runs in the handler thread: one stalled client must not block accept().
            self._server.socket = context.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self._server.server_address[1]}"

    def paths(self) -> list[str]:
        return [s.path for s in self.seen]

    def normal(self, handler: BaseHTTPRequestHandler) -> None:
        path = urlsplit(handler.path).path
        if path == "/system_stats":
            return send_json(handler, SYSTEM_STATS)
        if path == "/object_info":
            return send_json(handler, object_info(self.folders.get("checkpoints", [])))
        if path == "/models":
            return send_json(handler, list(self.folders))
        if path == "/embeddings":
            return send_json(handler, [])
        if path.startswith("/models/") and unquote(path[8:]) in self.folders:
            return send_json(handler, self.folders[unquote(path[8:])])
        if path.startswith("/experiment/models/") and unquote(path[19:]) in self.folders:
            files = self.folders[unquote(path[19:])]
            return send_json(handler, [{"name": n, "pathIndex": 0, "modified": 1.7e9, "size": 1000} for n in files])
        return status(404)(handler)


def send(handler: BaseHTTPRequestHandler, code: int, body: bytes, content_type: str = "application/json",
         extra: dict[str, str] | None = None, reason: str | None = None) -> None:
    handler.send_response(code, reason)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (extra or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def send_json(handler: BaseHTTPRequestHandler, data: Any) -> None:
    # json.dumps escapes lone surrogates as \udcXX, exactly like ComfyUI (aiohttp's json_response).
    send(handler, 200, json.dumps(data).encode())


def status(code: int, reason: str | None = None) -> Behaviour:
    return lambda h: send(h, code, b"{}" if code < 500 else b"Internal Server Error", "text/plain", reason=reason)


def counted(behaviour: Behaviour, calls: list[str]) -> Behaviour:
    def run(handler: BaseHTTPRequestHandler) -> None:
        calls.append(handler.path)
        behaviour(handler)

    return run


def json_body(data: Any) -> Behaviour:
    return lambda h: send_json(h, data)


def raw(body: bytes, content_type: str = "application/json") -> Behaviour:
    return lambda h: send(h, 200, body, content_type)


def hang(seconds: float = 60.0) -> Behaviour:
    return lambda h: time.sleep(seconds)


def trickle(body: bytes, per_second: float = 1.0) -> Behaviour:
    """Send headers, then the body one byte at a time (a server that drips forever)."""

    def run(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        for byte in body:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(1.0 / per_second)

    return run


def reset_mid_body() -> Behaviour:
    """Promise 100 kB, send a little, then reset the connection."""

    def run(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        handler.wfile.write(b'{"CheckpointLoaderSimple": {"inp')
        handler.wfile.flush()
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        handler.connection.close()
        handler.close_connection = True

    return run


def redirect(location: str, code: int = 302) -> Behaviour:
    return lambda h: send(h, code, b"", "text/plain", {"Location": location})


@cache
def bomb_bytes(decompressed: int) -> bytes:
    """A gzip stream of ``decompressed`` zero bytes (about 1000:1)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(decompressed >> 20)]
    return b"".join(parts) + packer.flush()


def gzip_bomb(decompressed: int) -> Behaviour:
    body = bomb_bytes(decompressed)
    return lambda h: send(h, 200, body, "application/json", {"Content-Encoding": "gzip"})


@cache
def zeros_gzip(decompressed: int) -> bytes:
    """A gzip stream of ``decompressed`` zero bytes, built without compressing gigabytes (2 GiB: about 2 MB).

    One fully flushed 1 MiB block repeated: each segment stands alone after a full flush. It has no
    trailer, which a bounded reader stops before.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = packer.compress(bytes(1 << 20)) + packer.flush(zlib.Z_FULL_FLUSH)
    segment = packer.compress(bytes(1 << 20)) + packer.flush(zlib.Z_FULL_FLUSH)
    return head + segment * ((decompressed >> 20) - 1)


@cache
def stacked_bomb_bytes(decompressed: int) -> bytes:
    """A gzip of a gzip stream of ``decompressed`` zero bytes (4 GiB is about 10 KB on the wire)."""
    return gzip.compress(zeros_gzip(decompressed), 9)


def encoded(body: bytes, encoding: str) -> Behaviour:
    """``body`` sent as is, under the ``Content-Encoding`` header ``encoding``."""
    return lambda h: send(h, 200, body, "application/json", {"Content-Encoding": encoding})


def gzip_json(data: Any) -> Behaviour:
    return lambda h: send(h, 200, gzip.compress(json.dumps(data).encode()), "application/json",
                          {"Content-Encoding": "gzip"})


def dead_url() -> str:
    """A loopback URL nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def self_signed(folder: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, made with the openssl command."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return str(cert), str(key)
