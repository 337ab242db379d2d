"""Every exception and warning comfyframe raises, in one tree.

``ComfyFrameError`` is the root; catch it to handle anything this package
raises on purpose. Messages name the URL (or file) involved and what to try.
"""

from __future__ import annotations

__all__ = [
    "ComfyFrameError",
    "ServerError",
    "ServerUnreachable",
    "ServerDisconnected",
    "TLSFailure",
    "ServerTimeout",
    "ServerHTTPError",
    "UnexpectedPayload",
    "SnapshotError",
    "MissingDependency",
    "DegradedServerWarning",
    "NothingFitsWarning",
]


class ComfyFrameError(Exception):
    """Root of every error comfyframe raises on purpose."""


class ServerError(ComfyFrameError):
    """Talking to a ComfyUI server failed; ``url`` is the request that failed."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


class ServerUnreachable(ServerError):
    """No connection could be made (refused, DNS failure, network down)."""


class ServerDisconnected(ServerUnreachable):
    """The server (or a proxy) closed the connection in the middle of an answer."""


class TLSFailure(ServerUnreachable):
    """The TLS handshake failed (an untrusted certificate, a wrong host name, plain HTTP on an https URL)."""


class ServerTimeout(ServerError):
    """The server accepted the connection but did not answer in time."""


class ServerHTTPError(ServerError):
    """The server answered with an HTTP error status."""

    def __init__(self, message: str, url: str, status_code: int) -> None:
        super().__init__(message, url)
        self.status_code = status_code


class UnexpectedPayload(ServerError):
    """The server answered, but not with what ComfyUI sends for that route."""


class SnapshotError(ComfyFrameError):
    """A snapshot file could not be read or is not a comfyframe snapshot."""


class WorkflowError(ComfyFrameError):
    """A file or value is not a ComfyUI workflow (or is too large or deeply nested to be one)."""


class MissingDependency(ComfyFrameError, ImportError):
    """An optional dependency (ipywidgets, pyarrow, …) is not installed."""


class DegradedServerWarning(UserWarning):
    """The server lacks an optional endpoint; results are partial but usable."""


class NothingFitsWarning(UserWarning):
    """``best_for`` found no pipeline for the job within the budget; the message (and the empty frame's
    ``attrs["reason"]``) says why and what would help."""
