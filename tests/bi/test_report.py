"""The HTML report: self-contained, and its charts render in a real browser without errors."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from flows.bi.report import write_report
from flows.store.tables import CHILD_TABLES, SCHEMAS, Table
from tests.bi.conftest import partition, write_parquet


def _chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def render(page: Path) -> tuple[str, list[str]]:
    """The DOM after scripts ran, and the console messages, from headless Chromium."""
    result = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
            "--window-size=1400,2200",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return result.stdout, console


def test_the_report_is_one_offline_file(bi_output: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    charts = write_report(bi_output, page)
    tree = HTMLParser(page.read_text(encoding="utf-8"))
    assert [node.attributes.get("src") for node in tree.css("script[src]")] == []
    linked = [n.attributes.get("href") or "" for n in tree.css("link[href]")]
    assert not [href for href in linked if "//" in href]
    titles = [chart.title for chart in charts]
    # An output with division codes and officials gets those charts, not the fallbacks.
    assert "Entities by province" in titles and "Officials named in most documents" in titles
    assert len(tree.css("div.plotly-graph-div")) == len(charts) >= 6


def test_the_report_renders_its_charts_in_chromium_without_console_messages(
    bi_output: Path, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    charts = write_report(bi_output, page)
    dom, console = render(page)
    tree = HTMLParser(dom)
    rendered = [div for div in tree.css("div.plotly-graph-div") if div.css_first("svg.main-svg")]
    assert len(rendered) == len(charts)
    assert all(div.css("g.trace, g.annotation") for div in rendered)
    assert console == []


def test_the_browser_check_sees_a_broken_page(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>null.chart;</script></body></html>", encoding="utf-8")
    dom, console = render(page)
    assert "svg" not in dom
    assert any("Uncaught TypeError" in line for line in console)


def test_a_report_of_an_empty_output_says_so_in_every_chart(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    charts = write_report(tmp_path, page)
    dom, console = render(page)
    tree = HTMLParser(dom)
    notes = [node.text() for node in tree.css("g.annotation")]
    assert len(notes) == len(charts) and console == []
    assert "no inputs were rejected" in notes


def test_the_report_counts_failed_runs(bi_output: Path, tmp_path: Path) -> None:
    started = dt.datetime(2026, 12, 7, 1, tzinfo=dt.UTC)
    counts = {table.value: 0 for table in (Table.DOCUMENTS, *CHILD_TABLES)}
    rows = [
        {
            "run_id": run_id,
            "started_at": started,
            "finished_at": started,
            "inputs": ["seeds"],
            "input_documents": 0,
            "skipped_documents": 0,
            **counts,
            "rejects": 0,
            "stage_seconds": [],
            "model_version": "zh_news-0.7.0",
            "status": status,
            "error": error,
        }
        for run_id, status, error in [
            ("r1", "completed", None),
            ("r2", "failed", "OSError: [Errno 28] No space left on device"),
            ("r3", "completed", None),
        ]
    ]
    write_parquet(partition(bi_output, "runs"), rows, SCHEMAS[Table.RUNS], "runs")
    page = tmp_path / "report.html"
    write_report(bi_output, page)
    assert "3 (1 failed)" in HTMLParser(page.read_text(encoding="utf-8")).text()
