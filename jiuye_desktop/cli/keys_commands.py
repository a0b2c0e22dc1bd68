"""``keys``: the unit's signing key, its export, the pinned keys of subordinate units,
accepting a new one (annex1.md, "Signed packages").

:func:`register` adds the command and returns it by name, for ``cli.COMMANDS``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .args import Command, Refused, open_for, refuse, say


def register(
    sub: Any, common: argparse.ArgumentParser, as_json: argparse.ArgumentParser
) -> dict[str, Command]:
    s = sub.add_parser(
        "keys",
        parents=[common, as_json],
        help="签名公钥：本单位公钥及指纹、导出公钥文件、已登记的下属单位公钥、接受新公钥",
    )
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--show", action="store_true", help="显示本单位的公钥及其指纹")
    g.add_argument("--export", type=Path, metavar="FILE", help="把本单位的公钥导出到文件，交给上级")
    g.add_argument("--list", action="store_true", help="列出已登记的下属单位公钥及变更历史")
    g.add_argument(
        "--accept",
        nargs=2,
        metavar=("CODE", "FILE"),
        help="接受下属单位的新公钥：单位代码，及其公钥文件或用新公钥签名的上报文件",
    )
    s.add_argument("--password", help="上报文件的密码（--accept 给出加密的上报文件时）")
    return {"keys": cmd_keys}


def cmd_keys(args: argparse.Namespace) -> dict[str, Any]:
    from .. import signing

    session = open_for(args)
    try:
        if args.accept:
            code, file = args.accept
            offered = _offered_key(Path(file), args.password)
            try:
                done = signing.accept_key(session, offered, unit_code=code.strip())
            except signing.SigningError as exc:
                raise Refused(str(exc)) from exc
            say(
                f"已接受单位{code}的新公钥（指纹 {done['fingerprint']}）"
                + (
                    f"，替换原公钥（指纹 {done['old_fingerprint']}）"
                    if done["old_fingerprint"]
                    else ""
                )
                + "，已记入历史"
            )
            return {"accepted": done}
        if args.list:
            pinned = signing.pinned_list(session)
            history = signing.history(session)
            if not args.json:
                if not pinned:
                    print("尚未登记任何下属单位的公钥（首次合并某单位的上报文件时自动登记）")
                for k in pinned:
                    print(
                        f"{k['unit_code']}  {k['fingerprint']}  登记于 {k['pinned_at']}  来源：{k['source']}"
                    )
            return {"pinned": pinned, "history": history}
        key = signing.own_key(session)
        unit = session.unit
        if args.export:
            from ..exports.atomic import ExportError, atomic_write

            try:
                with atomic_write(args.export) as tmp:
                    tmp.write_text(signing.key_file_text(session), encoding="utf-8")
            except ExportError as exc:
                raise Refused(str(exc)) from exc
            say(f"已把{unit.name}的公钥（指纹 {key.fingerprint}）导出到 {args.export}")
        elif not args.json:
            print(f"{unit.name}（{unit.code}）的签名公钥")
            print(f"指纹：{key.fingerprint}")
            print(f"公钥：{signing.encode(key.public)}")
            print(f"生成于：{key.created_at}")
        return {
            "unit": {"code": unit.code, "name": unit.name},
            "fingerprint": key.fingerprint,
            "public_key": signing.encode(key.public),
            "created_at": key.created_at,
            "exported_to": str(args.export) if args.export else None,
        }
    finally:
        session.close()


def _offered_key(path: Path, password: str | None) -> Any:
    """The key in a key file, or the key that signed a package (its signature checked)."""
    from .. import signing
    from ..merge import offered_key
    from ..package import PackageError

    if not path.is_file():
        refuse(f"找不到文件“{path}”")
    with path.open("rb") as fh:
        magic = fh.read(8)
    if magic[:4] != b"PK\x03\x04" and magic != bytes.fromhex("D0CF11E0A1B11AE1"):
        try:
            return signing.read_key_file(path)
        except signing.SigningError as exc:
            raise Refused(str(exc)) from exc
    try:
        return offered_key(path, password)  # digest and signature checked
    except PackageError as exc:
        raise Refused(str(exc)) from exc
