"""Signed packages (annex1.md, "Signed packages"): the unit's Ed25519 key, fingerprints,
signatures, key files, and the keys of subordinate units pinned on first merge.

A digest alone proves nothing (anyone who edits a package can recompute it);
a signature by the unit's private key, which never leaves its database, does.
The receiving unit pins the sender's public key the first time it merges one
of its packages (its fingerprint shown in the preview, to compare by phone)
and refuses any later package signed by another key until a person accepts
the new key (``accept_key``), which goes into the history.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from .storage import keys_sql

if TYPE_CHECKING:
    import sqlite3

    from .service import Session

KEY_FILE_FORMAT = "jiuye-public-key"


class SigningError(Exception):
    """A key, key file or signature that cannot be used (Chinese message)."""


def fingerprint(public: bytes) -> str:
    """The first 20 hex digits of SHA-256 of the raw public key, in groups of four."""
    digits = hashlib.sha256(public).hexdigest()[:20]
    return " ".join(digits[i : i + 4] for i in range(0, 20, 4))


def encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def decode_public(text: str) -> bytes:
    """A public key as written in a package or a key file (base64 of the 32 raw bytes)."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SigningError("公钥不是有效的Base64文本") from None
    if len(raw) != 32:
        raise SigningError("公钥的长度不对（应为32字节的Ed25519公钥）")
    return raw


def verify(public: bytes, signature_text: str, message: bytes) -> bool:
    """Whether ``signature_text`` (base64) is the signature of ``message`` by ``public``."""
    try:
        signature = base64.b64decode(signature_text.strip(), validate=True)
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True


@dataclass(frozen=True, slots=True)
class OwnKey:
    """The unit's key pair."""

    private: bytes
    public: bytes
    created_at: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public)

    def sign(self, message: bytes) -> str:
        return encode(Ed25519PrivateKey.from_private_bytes(self.private).sign(message))


def own_key(session: Session) -> OwnKey:
    """The unit's key pair; made (and stored) on first use in a ledger made before keys.

    Raises:
        StorageError: the ledger is read-only and has no key yet.
    """
    conn = session.db.conn
    found = keys_sql.own_key(conn)
    if found is None:
        with session.db.transaction() as tx:
            found = keys_sql.own_key(tx)
            if found is None:
                make_own_key(tx, session.unit.code, session.operator)
                found = keys_sql.own_key(tx)
    assert found is not None
    return OwnKey(*found)


def make_own_key(conn: sqlite3.Connection, unit_code: str, operator: str) -> None:
    """Make and store the unit's key pair (at ``init``; the caller holds the transaction)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    keys_sql.store_own_key(conn, private, public, fingerprint(public), unit_code, operator)


# --- Key files --------------------------------------------------------------------------------


def key_file_text(session: Session) -> str:
    """The unit's public key as a small text file for its city (``keys --export``)."""
    key = own_key(session)
    unit = session.unit
    doc = {
        "format": KEY_FILE_FORMAT,
        "unit_code": unit.code,
        "unit_name": unit.name,
        "public_key": encode(key.public),
        "fingerprint": key.fingerprint,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


@dataclass(frozen=True, slots=True)
class OfferedKey:
    """A subordinate unit's public key, from a key file or from a package it signed."""

    unit_code: str
    unit_name: str
    public: bytes
    source: str  # the file's name

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public)


def read_key_file(path: Path) -> OfferedKey:
    """A key file written by ``keys --export``.

    Raises:
        SigningError: not a key file, or its key is malformed.
    """
    try:
        data = path.read_bytes()[:65536]
        doc = json.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise SigningError(f"文件“{path.name}”不是本程序导出的公钥文件") from None
    if not isinstance(doc, dict) or doc.get("format") != KEY_FILE_FORMAT:
        raise SigningError(f"文件“{path.name}”不是本程序导出的公钥文件")
    code, name = str(doc.get("unit_code", "")), str(doc.get("unit_name", ""))
    public = decode_public(str(doc.get("public_key", "")))
    if not (code.isdigit() and len(code) == 6):
        raise SigningError(f"公钥文件“{path.name}”中的单位代码“{code}”不是6位数字")
    return OfferedKey(code, name, public, path.name)


# --- Pinned keys of subordinate units -----------------------------------------------------------


def pinned(conn: sqlite3.Connection, unit_code: str) -> tuple[bytes, str] | None:
    return keys_sql.pinned_key(conn, unit_code)


def pin_first(
    conn: sqlite3.Connection, unit_code: str, public: bytes, *, source: str, operator: str
) -> None:
    """Pin a unit's key on its first package (the caller holds the transaction)."""
    keys_sql.pin_key(
        conn, unit_code, public, fingerprint(public), action="pin", source=source, operator=operator
    )


def accept_key(session: Session, offered: OfferedKey, *, unit_code: str) -> dict[str, Any]:
    """A person accepts a subordinate unit's (new) key: it replaces the pinned one, and the
    history keeps both fingerprints.

    Raises:
        SigningError: the code is not one of this unit's subordinate areas, or the key offered
            is of another unit.
    """
    if offered.unit_code != unit_code:
        raise SigningError(
            f"“{offered.source}”中的公钥属于单位{offered.unit_code}，不是{unit_code}，未接受"
        )
    codes = {a.code for a in session.areas() if a.code and not a.is_self}
    if unit_code not in codes:
        raise SigningError(f"{unit_code}不是{session.unit.name}的下属地区，未接受其公钥")
    with session.db.transaction() as tx:
        old = keys_sql.pinned_key(tx, unit_code)
        keys_sql.pin_key(
            tx,
            unit_code,
            offered.public,
            offered.fingerprint,
            action="accept",
            source=offered.source,
            operator=session.operator,
        )
    return {
        "unit_code": unit_code,
        "old_fingerprint": old[1] if old else None,
        "fingerprint": offered.fingerprint,
        "source": offered.source,
    }


def pinned_list(session: Session) -> list[dict[str, Any]]:
    return keys_sql.pinned_keys(session.db.conn)


def history(session: Session) -> list[dict[str, Any]]:
    return keys_sql.key_history(session.db.conn)
