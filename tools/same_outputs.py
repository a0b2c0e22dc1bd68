"""Do two revisions give the same outputs on the sample ledgers? (issue 15: behaviour stays identical)

    .venv/bin/python tools/same_outputs.py [BASE [HEAD]] [--keep DIR] [--year Y] [--no-shared]
    make same-outputs                       # BASE = 6656f60, HEAD = the checkout's HEAD

Each revision is checked out in a temporary worktree (``git worktree add --detach``; the
committed state, not uncommitted edits) and driven through its own command line
(``python main.py …``, one process per command, one after the other), with this
interpreter and its packages. The inputs are the same for both:

- the sample ledgers the base revision's ``tests/sample_ledgers.py`` generates (the head's
  generator is run too and its workbooks compared with the base's, cell by cell);
- the hand-made ones of ``../shared/samples`` when that folder exists.

For each ledger, in one scratch folder at the same path for both revisions:

1. a city ledger (411000 许昌市, level city, as the tests do): ``init``, ``import``, ``check``,
   ``weekly`` for every week of the year (from 1 January, each next week starting the day
   after the previous one ends), ``export-annex1`` and ``export-package`` for the removal
   date's week and the year's last week;
2. a second city (411100 漯河市) with the same areas by name imports the same workbook and
   exports the last week's package;
3. a province ledger ``merge``s the three packages in one call (two weeks of 许昌, and 漯河:
   every person a cross-area duplicate), then ``weekly``, ``weekly --area`` for both, ``check``;
4. three ``edit``s (the form's path) and their ``history``; ``remove --kind all`` on the
   removal date, ``check``, ``weekly`` for the expectation's days, the last week's package
   again, plain (compared) and with ``--password``; ``report-selfcheck`` (its PDF's text,
   by poppler's ``pdftotext``), ``backup``, ``backup --list``, ``restore --backup latest``,
   ``check``; the province merges the locked package (a replacement), step 3's reads again.

And a demo case: two demo cities of ``--demo-records`` each (20,000), ``check``, five
``weekly``s, their last week's packages merged by a province in one call (more than the 4 MiB
from which the merge reads in worker processes), and the first package imported as a
workbook into a fresh ledger (more than the 1.5 MB from which the import starts a helper
process), ``check`` and ``weekly``s there.

Compared: exit codes; stdout as JSON without the keys of ``DROPPED`` (paths, clock times,
and what depends on the clock or on the ledger's random signing key); stderr and PDF text
with clock times and durations masked; every exported workbook's cell values sheet by sheet (openpyxl,
values only), except the 说明 rows of ``IGNORED_NOTES``. Exit status 1 on any difference.

``today`` is not fixed (the command line has no option for it; only ``--fill-date``,
which is given): both revisions run within minutes on the same day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

ROOT = Path(__file__).resolve().parent.parent
SHARED_SAMPLES = ROOT.parent / "shared" / "samples"
DEFAULT_BASE = "6656f60"

UNIT = ("411000", "许昌市", "city")
TWIN = ("411100", "漯河市")  # a second city whose ledger holds the same rows
PROVINCE = ("410000", "河南省", "province")
PASSWORD = "pw-2017"
#: Each demo city's records: the two packages pass the merge's 4 MiB for worker processes.
DEMO_RECORDS = 20000
PARALLEL_FROM_BYTES = 4 * 1024 * 1024  # merge_pool.PARALLEL_FROM_BYTES
IMPORT_PARALLEL_FROM_BYTES = 1_500_000  # import_schedule.PARALLEL_FROM_BYTES
OPERATOR = "测试员"  # what tests/conftest.py sets
FILL_DATE = "2017-12-29"  # the Annex 1's 填表日期 (otherwise today)
DEFAULT_REMOVAL = "2017-11-24"
DEFAULT_DAYS = ("2017-01-06", "2017-06-02", "2017-11-10", "2017-11-24", "2017-12-31")

#: Free-text fields an edit may fill with any words.
TEXT = ("姓名", "就业单位名称", "原企业名称", "备注")
#: Keys left out of every JSON document, wherever they are.
DROPPED = {
    # paths of the scratch folder
    "db": "path",
    "out": "path",
    "xlsx": "path",
    "pdf": "path",
    "backup": "path",
    "path": "path",
    "restored_from": "path",
    "previous_saved_as": "path",
    # clock times
    "written_at": "time",
    "submitted_at": "time",
    "at": "time",
    "imported_at": "time",
    "taken_at": "time",
    # the package's digest covers its 导出时间; the fingerprint is the ledger's random key
    "digest": "covers the export time",
    "fingerprint": "random signing key",
    "seconds": "time taken",
}
#: 说明 rows (first cell) whose values are not compared.
IGNORED_NOTES = ("导出时间", "摘要（SHA-256）", "公钥指纹", "公钥（Ed25519）", "签名（Ed25519）")
#: Clock times, backup names' stamps and durations (用时 2.1 秒), masked in stderr and PDF text.
_CLOCK = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?|\d{8}-\d{6}|用时 [\d.]+ ?秒")
SHOWN = 12  # differences shown per document

_MAKE_SAMPLES = """
import sys
from pathlib import Path
from tests.sample_ledgers import write_samples
write_samples(Path(sys.argv[1]))
"""


@dataclass
class Revision:
    tag: str  # "base" or "head"
    name: str  # as given
    commit: str
    dir: Path

    @property
    def title(self) -> str:
        return f"{self.name} ({self.commit[:10]})"


@dataclass
class Sample:
    label: str
    workbook: Path | None  # None: the demo case (``drive_demo``)
    expected: dict[str, Any]


@dataclass
class Result:
    argv: list[str]
    exit: int
    doc: Any  # the stdout's JSON, or None
    stdout: str
    stderr: str


@dataclass
class Run:
    """One revision's outputs on one sample: each command by a key, and the workbooks."""

    results: dict[str, Result] = field(default_factory=dict)
    workbooks: dict[str, Path] = field(default_factory=dict)
    texts: dict[str, Path] = field(default_factory=dict)  # PDFs' text
    merged_bytes: int = 0  # the demo case: what its province merge reads
    imported_bytes: int = 0  # the demo case: the workbook its import reads


@dataclass
class Tally:
    documents: int = 0
    workbooks: int = 0
    sheets: int = 0
    cells: int = 0
    texts: int = 0
    differences: list[str] = field(default_factory=list)


def git(*args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def environment(rev: Revision) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIUYE_")}
    env.update(
        PYTHONPATH=str(rev.dir),
        PYTHONDONTWRITEBYTECODE="1",
        QT_QPA_PLATFORM="offscreen",
        JIUYE_OPERATOR=OPERATOR,
    )
    return env


def check_imports(rev: Revision) -> None:
    """The revision's package is the one imported, not the checkout's editable install."""
    out = subprocess.run(
        [sys.executable, "-c", "import jiuye_desktop; print(jiuye_desktop.__file__)"],
        cwd=rev.dir,
        env=environment(rev),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(out).resolve().is_relative_to(rev.dir.resolve()):
        raise SystemExit(f"{rev.title}: jiuye_desktop comes from {out}, not from {rev.dir}")


def make_samples(rev: Revision, folder: Path) -> bool:
    if not (rev.dir / "tests" / "sample_ledgers.py").exists():
        return False
    subprocess.run(
        [sys.executable, "-c", _MAKE_SAMPLES, str(folder)],
        cwd=rev.dir,
        env=environment(rev),
        check=True,
    )
    return True


# --- running one revision on one sample -------------------------------------------------


class Driver:
    def __init__(self, rev: Revision, scratch: Path) -> None:
        self.rev, self.scratch, self.run = rev, scratch, Run()
        self.env = environment(rev)

    def __call__(self, key: str, *argv: object) -> Result:
        args = [str(a) for a in argv]
        done = subprocess.run(
            [sys.executable, "main.py", *args],
            cwd=self.rev.dir,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            doc = json.loads(done.stdout) if "--json" in args else None
        except json.JSONDecodeError:
            doc = None
        result = Result(args, done.returncode, doc, done.stdout, done.stderr)
        if key in self.run.results:
            raise AssertionError(f"two commands named {key}")
        self.run.results[key] = result
        return result

    def keep(self, name: str, path: Path) -> None:
        if path.exists():
            self.run.workbooks[name] = path

    def keep_text(self, name: str, pdf: Path) -> None:
        """A PDF's text (pdftotext -layout), when poppler's pdftotext is there."""
        if pdf.exists() and shutil.which("pdftotext"):
            text = pdf.with_suffix(".txt")
            subprocess.run(["pdftotext", "-layout", str(pdf), str(text)], check=True)
            self.run.texts[name] = text


def drive(d: Driver, sample: Sample, workbook: Path, year: int) -> Run:
    """The commands of one revision on one sample (see the module's docstring)."""
    city, twin = d.scratch / "ledger.sqlite", d.scratch / "twin.sqlite"
    prov = d.scratch / "province.sqlite"
    exp = sample.expected
    removal = str(exp.get("removal_date") or DEFAULT_REMOVAL)
    last = f"{year}-12-31"

    # The city ledger: import, check, every week, the exports.
    code, name, level = UNIT
    init = d("init", "init", "--db", city, "--unit-code", code, "--unit-name", name,
             "--level", level, "--json")  # fmt: skip
    d("import", "import", workbook, "--db", city, "--json")
    first = d("check", "check", "--db", city, "--json").doc
    day = dt.date(year, 1, 1)
    while day.year == year:
        got = d(f"weekly {day}", "weekly", "--date", day, "--db", city, "--json")
        if got.exit != 0 or not isinstance(got.doc, dict):
            break
        day = dt.date.fromisoformat(got.doc["week"]["end"]) + dt.timedelta(days=1)
    packages = []
    for when in dict.fromkeys((removal, last)):
        annex, package = d.scratch / f"annex1-{when}.xlsx", d.scratch / f"package-{when}.xlsx"
        d(f"export-annex1 {when}", "export-annex1", "--date", when, "--out", annex,
          "--fill-date", FILL_DATE, "--db", city, "--json")  # fmt: skip
        d(f"export-package {when}", "export-package", "--date", when, "--out", package,
          "--fill-date", FILL_DATE, "--db", city, "--json")  # fmt: skip
        d.keep(f"export-annex1 {when}", annex)
        d.keep(f"export-package {when}", package)
        packages.append(package)

    # A second city with the same areas by name and the same rows: every person twice.
    tcode, tname = TWIN
    areas = init.doc.get("areas", []) if isinstance(init.doc, dict) else []
    named = [a for area in areas for a in ("--area", area["name"])]
    d("twin init", "init", "--db", twin, "--unit-code", tcode, "--unit-name", tname,
      "--level", "city", *named, "--json")  # fmt: skip
    d("twin import", "import", workbook, "--db", twin, "--json")
    twin_package = d.scratch / f"twin-package-{last}.xlsx"
    d("twin export-package", "export-package", "--date", last, "--out", twin_package,
      "--fill-date", FILL_DATE, "--db", twin, "--json")  # fmt: skip
    d.keep("twin export-package", twin_package)

    # The province takes the three packages in one merge (cross-area duplicates).
    pcode, pname, plevel = PROVINCE
    d("province init", "init", "--db", prov, "--unit-code", pcode, "--unit-name", pname,
      "--level", plevel, "--json")  # fmt: skip
    _province(d, prov, [*packages, twin_package], last, "1")

    # The form's path, the removal, and the last week's package again (a replacement).
    for i, argv in enumerate(_edits(first, year), 1):
        d(f"edit {i}", "edit", *argv, "--db", city, "--json")
        d(f"history {i}", "history", "--record", argv[1], "--db", city, "--json")
    d("remove", "remove", "--kind", "all", "--date", removal, "--note", "集中调整", "--db", city,
      "--json")  # fmt: skip
    d("check after removal", "check", "--db", city, "--json")
    for when in exp.get("weeks", {}) or DEFAULT_DAYS:
        d(f"weekly after removal {when}", "weekly", "--date", when, "--db", city, "--json")
    package = d.scratch / f"package-{last}-after-removal.xlsx"
    d("export-package after removal", "export-package", "--date", last, "--out", package,
      "--fill-date", FILL_DATE, "--db", city, "--json")  # fmt: skip
    d.keep("export-package after removal", package)
    report = d.scratch / "selfcheck.pdf"
    d("report-selfcheck", "report-selfcheck", "--out", report, "--date", removal, "--db", city,
      "--json")  # fmt: skip
    d.keep_text("report-selfcheck (PDF text)", report)
    d("backup", "backup", "--db", city, "--json")
    d("backup --list", "backup", "--list", "--db", city, "--json")
    d("restore --backup latest", "restore", "--backup", "latest", "--db", city, "--json")
    d("check after restore", "check", "--db", city, "--json")
    locked = d.scratch / f"package-{last}-after-removal-locked.xlsx"
    d("export-package after removal --password", "export-package", "--date", last, "--out",
      locked, "--password", PASSWORD, "--fill-date", FILL_DATE, "--db", city, "--json")  # fmt: skip
    _province(d, prov, [locked, "--password", PASSWORD], last, "2")
    return d.run


def _province(d: Driver, prov: Path, files: list[object], last: str, n: str) -> None:
    d(f"province merge {n}", "merge", *files, "--db", prov, "--json")
    d(f"province weekly {n}", "weekly", "--date", last, "--db", prov, "--json")
    for code in (UNIT[0], TWIN[0]):
        d(f"province weekly --area {code} {n}", "weekly", "--date", last, "--area", code,
          "--db", prov, "--json")  # fmt: skip
    d(f"province check {n}", "check", "--db", prov, "--json")


def drive_demo(d: Driver, year: int, records: int) -> Run:
    """Two demo cities whose packages together pass ``PARALLEL_FROM_BYTES``, so that the
    province's merge reads them in worker processes."""
    last = f"{year}-12-31"
    packages: list[object] = []
    for (code, name), seed in ((UNIT[:2], 1), (TWIN, 2)):
        db = d.scratch / f"demo-{code}.sqlite"
        d(f"demo {code}", "demo", "--db", db, "--records", records, "--year", year, "--seed", seed,
          "--unit-code", code, "--unit-name", name, "--level", "city", "--json")  # fmt: skip
        d(f"check {code}", "check", "--db", db, "--json")
        for when in DEFAULT_DAYS:
            d(f"weekly {code} {when}", "weekly", "--date", when, "--db", db, "--json")
        package = d.scratch / f"demo-package-{code}.xlsx"
        d(f"export-package {code}", "export-package", "--date", last, "--out", package,
          "--fill-date", FILL_DATE, "--db", db, "--json")  # fmt: skip
        d.keep(f"export-package {code}", package)
        packages.append(package)
    d.run.merged_bytes = sum(Path(str(p)).stat().st_size for p in packages if Path(str(p)).exists())
    # The first package's 实名台账 as a workbook to import: big enough for the helper process.
    big = d.scratch / "demo-import.sqlite"
    code, name, level = UNIT
    d("import init", "init", "--db", big, "--unit-code", code, "--unit-name", name,
      "--level", level, "--json")  # fmt: skip
    d("import demo package", "import", packages[0], "--db", big, "--json")
    d("import check", "check", "--db", big, "--json")
    for when in DEFAULT_DAYS:
        d(f"import weekly {when}", "weekly", "--date", when, "--db", big, "--json")
    first = Path(str(packages[0]))
    d.run.imported_bytes = first.stat().st_size if first.exists() else 0
    prov = d.scratch / "province.sqlite"
    pcode, pname, plevel = PROVINCE
    d("province init", "init", "--db", prov, "--unit-code", pcode, "--unit-name", pname,
      "--level", plevel, "--json")  # fmt: skip
    _province(d, prov, packages, last, "1")
    return d.run


def _edits(check: Any, year: int) -> list[list[str]]:
    """Three edits through the form's path: record 1 moved to another area and date; the
    first record missing a text field gets it; the first record with a wrong field other
    than the ID has it emptied. Whatever each gives (done, refused) is compared."""
    edits = [["--record", "1", "--set", f"登记日期={year}-03-01", "--set", "所属地区=长葛市"]]
    findings = check.get("findings", []) if isinstance(check, dict) else []
    fill = next((f for f in findings if f.get("kind") == "incomplete" and f.get("field") in TEXT),
                None)  # fmt: skip
    if fill is not None:
        edits.append(["--record", str(fill["record"]), "--set", f"{fill['field']}=补填"])
    wrong = next((f for f in findings if f.get("kind") == "invalid"
                  and f.get("field") not in (None, "公民身份号码")), None)  # fmt: skip
    if wrong is not None:
        edits.append(["--record", str(wrong["record"]), "--set", f"{wrong['field']}="])
    return edits


# --- comparing -------------------------------------------------------------------------


def scrub(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: scrub(v) for k, v in doc.items() if k not in DROPPED}
    if isinstance(doc, list):
        return [scrub(v) for v in doc]
    return doc


def json_diff(a: Any, b: Any, path: str = "$") -> Iterator[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in _union(a, b):
            if k not in b:
                yield f"{path}.{k}: only in base ({_short(a[k])})"
            elif k not in a:
                yield f"{path}.{k}: only in head ({_short(b[k])})"
            else:
                yield from json_diff(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            yield f"{path}: {len(a)} items in base, {len(b)} in head"
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            yield from json_diff(x, y, f"{path}[{i}]")
    elif a != b or type(a) is not type(b):
        yield f"{path}: {_short(a)} → {_short(b)}"


def _union(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return [*a, *(k for k in b if k not in a)]


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "…"


def compare_runs(label: str, base: Run, head: Run, tally: Tally) -> None:
    for key in _union(base.results, head.results):
        where = f"{label}: {key}"
        a, b = base.results.get(key), head.results.get(key)
        if a is None or b is None:
            tally.differences.append(f"{where}: run only by {'head' if a is None else 'base'}")
            continue
        tally.documents += 1
        found: list[str] = []
        if a.exit != b.exit:
            found.append(f"exit {a.exit} → {b.exit}")
        if a.doc is None and b.doc is None:
            if a.stdout != b.stdout:
                found.append(f"stdout {_short(a.stdout)} → {_short(b.stdout)}")
        else:
            found += json_diff(scrub(a.doc), scrub(b.doc))
        ea, eb = _CLOCK.sub("<time>", a.stderr), _CLOCK.sub("<time>", b.stderr)
        if ea != eb:
            found.append(f"stderr {_short(ea)} → {_short(eb)}")
        _add(tally, where, found)
    for key in _union(base.workbooks, head.workbooks):
        wa, wb = base.workbooks.get(key), head.workbooks.get(key)
        if wa is None or wb is None:
            tally.differences.append(f"{label}: {key}: workbook only in {'head' if wa else 'base'}")
            continue
        _add(tally, f"{label}: {key} (xlsx)", compare_workbooks(wa, wb, tally))
    for key in _union(base.texts, head.texts):
        ta, tb = base.texts.get(key), head.texts.get(key)
        if ta is None or tb is None:
            tally.differences.append(f"{label}: {key}: only in {'head' if ta else 'base'}")
            continue
        tally.texts += 1
        la, lb = (
            _CLOCK.sub("<time>", t.read_text(encoding="utf-8")).splitlines() for t in (ta, tb)
        )
        found = [
            f"line {i}: {_short(x)} → {_short(y)}"
            for i, (x, y) in enumerate(zip_longest(la, lb), 1)
            if x != y
        ]
        _add(tally, f"{label}: {key}", found)


def compare_workbooks(a: Path, b: Path, tally: Tally) -> list[str]:
    tally.workbooks += 1
    wa, wb = (openpyxl.load_workbook(p, read_only=True, data_only=True) for p in (a, b))
    found: list[str] = []
    if wa.sheetnames != wb.sheetnames:
        found.append(f"sheets {wa.sheetnames} → {wb.sheetnames}")
    for name in wa.sheetnames:
        if name not in wb.sheetnames:
            continue
        tally.sheets += 1
        pairs = zip_longest(
            wa[name].iter_rows(values_only=True), wb[name].iter_rows(values_only=True), fillvalue=()
        )
        for r, (ra, rb) in enumerate(pairs, 1):
            first = ra[0] if ra else None
            if name == "说明" and isinstance(first, str) and first.strip() in IGNORED_NOTES:
                continue
            for c, (x, y) in enumerate(zip_longest(ra, rb), 1):
                tally.cells += 1
                if x != y or type(x) is not type(y):
                    coord = f"{get_column_letter(c)}{r}"
                    found.append(f"{name}!{coord}: {_short(_plain(x))} → {_short(_plain(y))}")
    wa.close()
    wb.close()
    return found


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime | dt.time) else value


def _add(tally: Tally, where: str, found: list[str]) -> None:
    for line in found[:SHOWN]:
        tally.differences.append(f"{where}: {line}")
    if len(found) > SHOWN:
        tally.differences.append(f"{where}: … {len(found) - SHOWN} more")


# --- the whole ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base", nargs="?", default=DEFAULT_BASE)
    parser.add_argument("head", nargs="?", default="HEAD")
    parser.add_argument("--year", type=int, default=2017, help="the samples' year (2017)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--no-shared", action="store_true", help="leave out ../shared/samples")
    parser.add_argument(
        "--demo-records",
        type=int,
        default=DEMO_RECORDS,
        help=f"records of each demo city ({DEMO_RECORDS}; 0 leaves the demo case out)",
    )
    opts = parser.parse_args(argv)

    started = time.monotonic()
    work = opts.keep or Path(tempfile.mkdtemp(prefix="same-outputs-"))
    work.mkdir(parents=True, exist_ok=True)
    revs = [
        Revision(tag, name, git("rev-parse", "--verify", f"{name}^{{commit}}"), work / f"rev-{tag}")
        for tag, name in (("base", opts.base), ("head", opts.head))
    ]
    today = dt.date.today()
    try:
        for rev in revs:
            if rev.dir.exists():
                git("worktree", "remove", "--force", str(rev.dir))
            git("worktree", "add", "--detach", str(rev.dir), rev.commit)
            check_imports(rev)
        tally = Tally()
        samples = prepare_samples(revs, work, tally, opts.no_shared)
        if opts.demo_records > 0:
            samples.append(Sample(f"demo/2x{opts.demo_records}", None, {}))
        runs: dict[tuple[str, str], Run] = {}
        for sample in samples:
            slug = sample.label.replace("/", "_").removesuffix(".xlsx")
            for rev in revs:
                scratch = work / "scratch" / slug
                shutil.rmtree(scratch, ignore_errors=True)
                scratch.mkdir(parents=True)
                driver = Driver(rev, scratch)
                if sample.workbook is None:
                    run = drive_demo(driver, opts.year, opts.demo_records)
                else:
                    run = drive(driver, sample, sample.workbook, opts.year)
                kept = work / "out" / rev.tag / slug  # the workbooks, moved out of the scratch
                shutil.rmtree(kept, ignore_errors=True)
                kept.mkdir(parents=True)
                for files in (run.workbooks, run.texts):
                    for key, path in files.items():
                        files[key] = Path(shutil.move(path, kept / path.name))
                (kept / "results.json").write_text(
                    json.dumps({k: vars(r) for k, r in run.results.items()}, ensure_ascii=False,
                               indent=1), encoding="utf-8")  # fmt: skip
                runs[rev.tag, sample.label] = run
            compare_runs(
                sample.label, runs["base", sample.label], runs["head", sample.label], tally
            )
        report(revs, samples, runs, tally, time.monotonic() - started, today)
        return 1 if tally.differences else 0
    finally:
        for rev in revs:
            if rev.dir.exists():
                subprocess.run(["git", "worktree", "remove", "--force", str(rev.dir)],
                               cwd=ROOT, check=False)  # fmt: skip
        if opts.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def prepare_samples(
    revs: list[Revision], work: Path, tally: Tally, no_shared: bool
) -> list[Sample]:
    """The generated samples (the base's, compared with the head's) and the shared ones."""
    made: dict[str, Path] = {}
    for rev in revs:
        folder = work / "samples" / rev.tag
        shutil.rmtree(folder, ignore_errors=True)
        if make_samples(rev, folder):
            made[rev.tag] = folder
    samples: list[Sample] = []
    if made:
        inputs = made.get("base") or made["head"]
        if len(made) == 2:
            for path in sorted(made["base"].iterdir()):
                other = made["head"] / path.name
                where = f"generated sample {path.name}"
                if not other.exists():
                    tally.differences.append(f"{where}: not made by the head")
                elif path.suffix == ".xlsx":
                    _add(tally, where, compare_workbooks(path, other, tally))
                else:
                    tally.documents += 1
                    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (path, other))
                    _add(tally, where, list(json_diff(a, b)))
        samples += _samples(inputs, "generated")
    if not no_shared and SHARED_SAMPLES.is_dir():
        samples += _samples(SHARED_SAMPLES, "shared")
    return samples


def _samples(folder: Path, label: str) -> list[Sample]:
    out = []
    for workbook in sorted(folder.glob("*.xlsx")):
        stem = workbook.stem.replace("-ledger", "")
        expected = folder / f"{stem}-expected.json"
        doc = json.loads(expected.read_text(encoding="utf-8")) if expected.exists() else {}
        out.append(Sample(f"{label}/{workbook.name}", workbook, doc))
    return out


def report(
    revs: list[Revision],
    samples: list[Sample],
    runs: dict[tuple[str, str], Run],
    tally: Tally,
    seconds: float,
    today: dt.date,
) -> None:
    base, head = revs
    print(f"same outputs: base {base.title} vs head {head.title}")
    print(f"samples: {', '.join(s.label for s in samples)} (inputs identical for both)")
    for s in samples:
        run = runs["base", s.label]
        commands: dict[str, int] = {}
        for r in run.results.values():
            commands[r.argv[0]] = commands.get(r.argv[0], 0) + 1
        print(f"  {s.label}: " + ", ".join(f"{k} ×{n}" for k, n in commands.items()))
        if run.merged_bytes:
            print(
                f"    its province merge read {run.merged_bytes / 2**20:.1f} MiB in 2 packages "
                f"(worker processes from {PARALLEL_FROM_BYTES / 2**20:.0f} MiB and 2 cores, "
                f"this machine: {os.cpu_count()})"
            )
        if run.imported_bytes:
            print(
                f"    its import read a {run.imported_bytes / 2**20:.1f} MiB workbook (helper "
                f"process from {IMPORT_PARALLEL_FROM_BYTES / 2**20:.1f} MiB and 2 cores)"
            )
    print(
        f"compared: {tally.documents} command outputs (exit, JSON, stderr), {tally.workbooks} "
        f"workbooks ({tally.sheets} sheets, {tally.cells} cells), {tally.texts} PDF texts"
    )
    if not shutil.which("pdftotext"):
        print("PDF texts not compared: no pdftotext (poppler-utils)")
    dropped = ", ".join(f"{k} ({why})" for k, why in DROPPED.items())
    print(f"JSON keys dropped: {dropped}")
    print(
        f"说明 rows not compared: {', '.join(IGNORED_NOTES)}; stderr, PDF text: clock times and durations masked"
    )
    if dt.date.today() != today:
        print("warning: the day changed during the run (today is not fixed)")
    print(f"time: {seconds:.0f} s")
    if tally.differences:
        print(f"DIFFERENT: {len(tally.differences)} difference lines")
        for line in tally.differences:
            print(f"  {line}")
    else:
        print("identical")


if __name__ == "__main__":
    sys.exit(main())
