"""The report of a synthetic portfolio in each format: seconds per format (target: within a minute each), the
number of figure parts (the roadmap split over pages), the PDF's pages, queries to gather the data, and the file
sizes."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bench import synthetic
from tracker.db import QueryCounter

FORMATS = ("html", "pdf", "docx")
TARGET_SECONDS = 60.0


def measure_report(folder: Path, size: int, make_app: Any) -> dict[str, Any]:
    from tracker.report.build import read, render
    from tracker.report.figure import figure_parts
    from tracker.report.options import parse_options

    app = make_app(folder, f"report{size}")
    db = app.extensions["tracker.db"]
    with db.transaction() as s:
        synthetic.build(s, size)
    result: dict[str, Any] = {"size": size}
    today = synthetic.TODAY
    clock_tz = app.extensions["tracker.clock"].tz
    with app.app_context(), db.sessionmaker() as session:
        options = parse_options(today=today, as_of=today.isoformat())
        with QueryCounter(db.engine) as counter:
            start = time.perf_counter()
            report = read(session, options, today=today, tz=clock_tz)
            result["gather"] = time.perf_counter() - start
        result["queries"] = counter.count
        result["parts"] = len(figure_parts(report))
        for fmt in FORMATS:
            start = time.perf_counter()
            body = render(read(session, options, today=today, tz=clock_tz), fmt)
            result[fmt] = (time.perf_counter() - start, len(body))
            if fmt == "pdf":
                result["pages"] = pdf_pages(body)
    db.dispose()
    return result


def pdf_pages(body: bytes) -> int | None:
    """The PDF's page count, read back by poppler's pdfinfo (None where poppler is not installed)."""
    if shutil.which("pdfinfo") is None:
        return None
    info = subprocess.run(["pdfinfo", "-"], input=body, capture_output=True, check=True).stdout.decode()
    found = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    return int(found.group(1)) if found else None


def lines(result: dict[str, Any]) -> list[str]:
    out = ["", f"## Progress report, {result['size']:,} acts (target: each format within a minute)", "",
           f"Data gathered in {result['queries']} queries ({result['gather']:.2f} s); the roadmap figure is split "
           f"over {result['parts']} parts; the PDF has {result.get('pages') or '?'} pages.", "",
           "| format | time | size | verdict |", "| --- | --- | --- | --- |"]
    for fmt in FORMATS:
        seconds, size = result[fmt]
        verdict = "met" if seconds <= TARGET_SECONDS else "MISSED"
        out.append(f"| {fmt} | {seconds:.1f} s | {size / 1024:.0f} KiB | {verdict} |")
    return out


def main() -> None:
    """`python -m bench.report [SIZE]`: only this measurement."""
    import sys
    import tempfile

    from bench.__main__ import make_app

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory(prefix="tracker-bench-report-") as tmp:
        print("\n".join(lines(measure_report(Path(tmp), size, make_app))))


if __name__ == "__main__":
    main()
