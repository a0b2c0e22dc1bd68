"""The command line of cli.md, one package: ``app`` (the parser, ``main`` and the ledger's
own commands), ``args`` (what every command module shares), and one module of commands per
area, each with ``register(sub, common, as_json)`` hooked into ``app.build_parser``."""

from .app import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, build_parser, default_db_path, main
from .args import Refused

__all__ = [
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_USAGE",
    "Refused",
    "build_parser",
    "default_db_path",
    "main",
]
