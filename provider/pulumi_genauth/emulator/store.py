"""The emulator's state, in a sqlite3 database: pools, settings, request log, faults.

No HTTP here. One connection is shared by the server's threads, guarded by a lock; every
write commits at once (to a write-ahead log, for a file), so a file database keeps what it
was told even if the process is killed. ``":memory:"`` gives a database that lives as long
as the process.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from typing import Any, Final

from . import Pool

IN_MEMORY: Final = ":memory:"

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pools (
    id TEXT PRIMARY KEY,
    access_key_id TEXT NOT NULL UNIQUE,
    access_key_secret TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (pool_id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS requests (seq INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS faults (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT,
    remaining INTEGER NOT NULL,
    spec TEXT NOT NULL
);
"""

_SIGNING_KEY: Final = "signing_key"
_TOKEN_EPOCH: Final = "token_epoch"
_MASK_SECRETS: Final = "mask_secrets"


class PoolConflictError(ValueError):
    """An access key id is already the key of another pool."""


class EmulatorStore:
    """The emulator's state, in one sqlite3 database (a file, or ``":memory:"``)."""

    def __init__(self, path: str = IN_MEMORY) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False)
        if path != IN_MEMORY:
            # A commit then appends to the write-ahead log without waiting for the disk: a
            # killed process loses nothing (the log is in the file), only a machine that loses
            # power may lose the last commits; it serves requests several times faster.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        with self._lock, self._db:
            self._db.executescript(_SCHEMA)
            # The token signing key lives in the database, so tokens survive a restart.
            self._db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                (_SIGNING_KEY, secrets.token_hex(32)),
            )

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    # -- pools ------------------------------------------------------------------------

    def put_pool(self, pool: Pool) -> None:
        """Add a pool, or replace the access key of an existing one."""
        with self._lock, self._db:
            owner = self._db.execute(
                "SELECT id FROM pools WHERE access_key_id = ?", (pool.access_key_id,)
            ).fetchone()
            if owner is not None and owner[0] != pool.id:
                raise PoolConflictError(
                    f"access key id {pool.access_key_id!r} already belongs to pool {owner[0]!r}"
                )
            self._db.execute(
                "INSERT OR REPLACE INTO pools (id, access_key_id, access_key_secret) "
                "VALUES (?, ?, ?)",
                tuple(pool),
            )

    def pools(self) -> list[Pool]:
        """Every pool, by id."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, access_key_id, access_key_secret FROM pools ORDER BY id"
            ).fetchall()
        return [Pool(*row) for row in rows]

    def pool(self, pool_id: str) -> Pool | None:
        """The pool with this id, if any."""
        return next((pool for pool in self.pools() if pool.id == pool_id), None)

    def pool_by_access_key_id(self, access_key_id: str) -> Pool | None:
        """The pool this access key id opens, if any."""
        return next((pool for pool in self.pools() if pool.access_key_id == access_key_id), None)

    # -- emulator-wide values ---------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def signing_key(self) -> str:
        """The HS256 key management tokens are signed with."""
        key = self._meta(_SIGNING_KEY)
        if key is None:  # pragma: no cover - written when the store opens
            raise RuntimeError("the emulator database has no signing key")
        return key

    def token_epoch(self) -> int:
        """The current token generation; tokens of an older one are expired."""
        return int(self._meta(_TOKEN_EPOCH) or 0)

    def next_token_epoch(self) -> int:
        """Start a new token generation, expiring every token issued so far."""
        epoch = self.token_epoch() + 1
        self._set_meta(_TOKEN_EPOCH, str(epoch))
        return epoch

    def mask_secrets(self) -> bool:
        """Whether read answers mask secrets."""
        return self._meta(_MASK_SECRETS) == "1"

    def set_mask_secrets(self, mask: bool) -> None:
        """Turn secret masking in read answers on or off."""
        self._set_meta(_MASK_SECRETS, "1" if mask else "0")

    # -- email provider settings ------------------------------------------------------

    def setting(self, pool_id: str) -> dict[str, Any] | None:
        """The email provider setting of a pool, as it was sent; None if never configured."""
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM settings WHERE pool_id = ?", (pool_id,)
            ).fetchone()
        return None if row is None else _object(row[0])

    def put_setting(self, pool_id: str, body: dict[str, Any]) -> None:
        """Replace the email provider setting of a pool."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO settings (pool_id, body) VALUES (?, ?)",
                (pool_id, json.dumps(body)),
            )

    # -- request log ------------------------------------------------------------------

    def log_request(self, entry: dict[str, Any]) -> None:
        """Append one served API request to the log."""
        with self._lock, self._db:
            self._db.execute("INSERT INTO requests (entry) VALUES (?)", (json.dumps(entry),))

    def requests(self) -> list[dict[str, Any]]:
        """The served API requests, oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT entry FROM requests ORDER BY seq").fetchall()
        return [_object(row[0]) for row in rows]

    # -- faults -----------------------------------------------------------------------

    def add_fault(self, path: str | None, times: int, spec: dict[str, Any]) -> None:
        """Queue a fault for the next ``times`` requests to ``path`` (any API path if None)."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO faults (path, remaining, spec) VALUES (?, ?, ?)",
                (path, times, json.dumps(spec)),
            )

    def take_fault(self, path: str) -> dict[str, Any] | None:
        """The oldest queued fault for ``path``, used up once; None if there is none."""
        with self._lock, self._db:
            row = self._db.execute(
                "SELECT seq, remaining, spec FROM faults WHERE path IS NULL OR path = ? "
                "ORDER BY seq LIMIT 1",
                (path,),
            ).fetchone()
            if row is None:
                return None
            seq, remaining, spec = row
            if remaining <= 1:
                self._db.execute("DELETE FROM faults WHERE seq = ?", (seq,))
            else:
                self._db.execute(
                    "UPDATE faults SET remaining = ? WHERE seq = ?", (remaining - 1, seq)
                )
        return _object(spec)

    # -- reset ------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget settings, the request log, faults and the mask switch; keep pools and keys."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM settings")
            self._db.execute("DELETE FROM requests")
            self._db.execute("DELETE FROM faults")
            self._db.execute("DELETE FROM meta WHERE key = ?", (_MASK_SECRETS,))


def _object(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):  # pragma: no cover - only this module writes these rows
        raise TypeError("the emulator database holds a value that is not a JSON object")
    return value
