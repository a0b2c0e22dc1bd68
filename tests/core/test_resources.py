"""The resource locator, and the data files pyinstaller.spec ships (no build here).

The spec lists every file the program reads at run time; a file added to
``resources/``, a new migration or a new ``stdnum.numdb`` table that the spec
does not list would be missing from the Windows build only. These checks catch
that from the source tree in a second; tests/test_dist.py builds the bundle.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from jiuye_desktop import __version__
from jiuye_desktop.resources import FONT_FILE, resource_path, resources_dir

PROJECT = Path(__file__).resolve().parents[2]
SPEC = PROJECT / "pyinstaller.spec"
#: Files of resources/ that are not read by the program and so do not ship.
NOT_SHIPPED = {"icons/make_icons.py"}


def spec_list(name: str) -> Any:
    """The literal value assigned to ``name`` at the top level of pyinstaller.spec."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"pyinstaller.spec has no literal {name}")


def package_dir(name: str) -> Path:
    """Folder of an installed package, without importing it (PySide6 would load Qt)."""
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.submodule_search_locations, name
    return Path(next(iter(spec.submodule_search_locations)))


def shipped_project_files() -> set[Path]:
    files: set[Path] = set()
    for pattern, _dest in spec_list("PROJECT_DATAS"):
        matches = sorted(PROJECT.glob(pattern))
        assert matches, f"pyinstaller.spec lists {pattern}, which matches no file"
        files.update(m.resolve() for m in matches)
    return files


# --- the spec's lists against the tree ---------------------------------------------------------


def test_every_listed_project_file_exists_and_lands_beside_its_source() -> None:
    for pattern, dest in spec_list("PROJECT_DATAS"):
        # The bundle keeps the source layout: resource_path and importlib.resources
        # find the files under sys._MEIPASS exactly where they are in the checkout.
        assert Path(pattern).parent.as_posix() == dest, (pattern, dest)
    assert shipped_project_files()


def test_every_resource_file_ships() -> None:
    shipped = shipped_project_files()
    root = PROJECT / "resources"
    missing = [
        p.relative_to(root).as_posix()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.relative_to(root).as_posix() not in NOT_SHIPPED
        and p.resolve() not in shipped
    ]
    assert not missing, f"resources/ files that pyinstaller.spec does not ship: {missing}"


def test_every_migration_ships() -> None:
    shipped = shipped_project_files()
    migrations = sorted((PROJECT / "jiuye_desktop" / "storage" / "migrations").glob("*.sql"))
    assert migrations
    assert all(m.resolve() in shipped for m in migrations)


def test_every_stdnum_table_the_code_reads_ships() -> None:
    listed = spec_list("STDNUM_DATAS")
    used = set()
    for source in (PROJECT / "jiuye_desktop").rglob("*.py"):
        used.update(re.findall(r"numdb\.get\(\s*['\"]([^'\"]+)['\"]", source.read_text("utf-8")))
    assert used, "the code reads no stdnum table any more: update STDNUM_DATAS"
    assert {f"{name}.dat" for name in used} <= set(listed)
    stdnum = package_dir("stdnum")
    for name in listed:
        assert (stdnum / name).is_file(), name


def test_the_qt_translations_exist_in_pyside6() -> None:
    pyside = package_dir("PySide6")
    folder = pyside / ("translations" if sys.platform == "win32" else "Qt/translations")
    for name in spec_list("QT_TRANSLATIONS"):
        assert (folder / name).is_file(), name
    # ui/app.py loads qtbase_zh_CN; qt_zh_CN only refers to catalogues Essentials lacks.
    assert "qtbase_zh_CN.qm" in spec_list("QT_TRANSLATIONS")


def test_the_spec_reads_the_version_the_package_has() -> None:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    (func,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "read_version"]
    namespace: dict[str, Any] = {"ROOT": PROJECT, "re": re}
    exec(compile(ast.Module(body=[func], type_ignores=[]), str(SPEC), "exec"), namespace)
    assert namespace["read_version"]() == __version__


def test_the_icons_are_drawn() -> None:
    from PIL import Image

    with Image.open(resource_path("icons", "app.png")) as png:
        assert png.size == (256, 256) and png.mode == "RGBA"
    with Image.open(resource_path("icons", "app.ico")) as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])


# --- the locator ---------------------------------------------------------------------------------


def test_from_source_the_locator_points_at_the_checkout() -> None:
    assert not hasattr(sys, "_MEIPASS")
    assert resources_dir() == PROJECT / "resources"
    assert resource_path(FONT_FILE) == PROJECT / "resources" / "fonts" / "wqy-microhei.ttc"
    assert resource_path("divisions.csv").is_file()


def test_a_missing_file_is_named_in_chinese() -> None:
    with pytest.raises(FileNotFoundError, match="缺少程序文件") as info:
        resource_path("fonts", "no-such-font.ttc")
    assert "no-such-font.ttc" in str(info.value)


def test_in_a_bundle_the_locator_points_into_meipass(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "resources" / "fonts").mkdir(parents=True)
    (tmp_path / "resources" / "fonts" / "wqy-microhei.ttc").write_bytes(b"font")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() == tmp_path / "resources"
    assert resource_path(FONT_FILE) == tmp_path / "resources" / "fonts" / "wqy-microhei.ttc"
    # No fallback to the checkout: a file absent from the bundle is missing.
    with pytest.raises(FileNotFoundError, match="缺少程序文件"):
        resource_path("divisions.csv")
