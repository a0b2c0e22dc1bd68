"""SQL of the signing keys (migration 0005): the unit's own key pair, the pinned keys of its
subordinate units, and the history of pinning and accepting them."""

from __future__ import annotations

import sqlite3
from typing import Any

from .db import now_text


def own_key(conn: sqlite3.Connection) -> tuple[bytes, bytes, str] | None:
    """(private key, public key, created at) of the unit, or None before it is made."""
    row = conn.execute("SELECT private_key, public_key, created_at FROM signing_key").fetchone()
    return None if row is None else (bytes(row[0]), bytes(row[1]), str(row[2]))


def store_own_key(
    conn: sqlite3.Connection,
    private: bytes,
    public: bytes,
    fingerprint: str,
    unit_code: str,
    operator: str,
) -> None:
    """The unit's key pair, made once (the caller holds the transaction)."""
    at = now_text()
    conn.execute(
        "INSERT INTO signing_key (id, private_key, public_key, created_at) VALUES (1, ?, ?, ?)",
        (private, public, at),
    )
    conn.execute(
        "INSERT INTO key_history (unit_code, at, operator, action, new_fingerprint, source) "
        "VALUES (?, ?, ?, 'create', ?, '')",
        (unit_code, at, operator, fingerprint),
    )


def pinned_key(conn: sqlite3.Connection, unit_code: str) -> tuple[bytes, str] | None:
    """(public key, fingerprint) pinned for a subordinate unit, or None."""
    row = conn.execute(
        "SELECT public_key, fingerprint FROM pinned_keys WHERE unit_code = ?", (unit_code,)
    ).fetchone()
    return None if row is None else (bytes(row[0]), str(row[1]))


def pin_key(
    conn: sqlite3.Connection,
    unit_code: str,
    public: bytes,
    fingerprint: str,
    *,
    action: str,
    source: str,
    operator: str,
) -> None:
    """Pin (or replace) a unit's key and write the history entry (the caller holds the
    transaction). ``action``: ``pin`` (first package or key file) or ``accept``."""
    old = pinned_key(conn, unit_code)
    at = now_text()
    conn.execute(
        "INSERT INTO pinned_keys (unit_code, public_key, fingerprint, pinned_at, operator, source) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (unit_code) DO UPDATE SET "
        "public_key = excluded.public_key, fingerprint = excluded.fingerprint, "
        "pinned_at = excluded.pinned_at, operator = excluded.operator, source = excluded.source",
        (unit_code, public, fingerprint, at, operator, source),
    )
    conn.execute(
        "INSERT INTO key_history (unit_code, at, operator, action, old_fingerprint, "
        "new_fingerprint, source) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (unit_code, at, operator, action, old[1] if old else None, fingerprint, source),
    )


def pinned_keys(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every pinned key, by unit code."""
    rows = conn.execute(
        "SELECT unit_code, fingerprint, pinned_at, operator, source FROM pinned_keys "
        "ORDER BY unit_code"
    ).fetchall()
    keys = ("unit_code", "fingerprint", "pinned_at", "operator", "source")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def key_history(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every key made, pinned or accepted, oldest first."""
    rows = conn.execute(
        "SELECT unit_code, at, operator, action, old_fingerprint, new_fingerprint, source "
        "FROM key_history ORDER BY id"
    ).fetchall()
    keys = ("unit_code", "at", "operator", "action", "old_fingerprint", "new_fingerprint", "source")
    return [dict(zip(keys, r, strict=True)) for r in rows]
