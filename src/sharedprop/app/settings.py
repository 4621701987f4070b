"""The app's settings: one validated, frozen dataclass built by the CLI or by a test."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sharedprop.errors import SharedpropError
from sharedprop.i18n import LANGUAGES

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Limits:
    """How much an upload may weigh, packed and unpacked (zip bombs stop here)."""

    upload_bytes: int = 50 * 2**20
    unpacked_bytes: int = 300 * 2**20
    zip_entries: int = 2_000
    # An entry that inflates more than this many times is refused: real CSV compresses ~5-10x.
    compression_ratio: float = 200.0

    def __post_init__(self) -> None:
        for name in ("upload_bytes", "unpacked_bytes", "zip_entries", "compression_ratio"):
            if getattr(self, name) <= 0:
                raise SharedpropError(f"app limits: {name} must be > 0, got {getattr(self, name)}")


@dataclass(frozen=True)
class AppSettings:
    """Everything the server needs to start.

    ``token`` is the secret every request must carry (a new random one per launch);
    ``port = 0`` asks the system for a free port.
    """

    workspace: Path
    host: str = "127.0.0.1"
    port: int = 8765
    lang: str = "en"
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    limits: Limits = field(default_factory=Limits)
    solve_workers: int = 2
    default_time_limit: float = 60.0

    def __post_init__(self) -> None:
        problems = []
        if self.lang not in LANGUAGES:
            problems.append(f"lang must be one of {', '.join(LANGUAGES)}, got {self.lang!r}")
        if not 0 <= self.port <= 65_535:
            problems.append(f"port must be between 0 and 65535, got {self.port}")
        if len(self.token) < 16:
            problems.append("token must be at least 16 characters")
        if self.solve_workers < 1:
            problems.append(f"solve_workers must be >= 1, got {self.solve_workers}")
        if self.default_time_limit <= 0:
            problems.append(f"default_time_limit must be > 0, got {self.default_time_limit}")
        if problems:
            raise SharedpropError("; ".join(problems))

    @property
    def loopback(self) -> bool:
        return self.host in LOOPBACK_HOSTS
