"""`zhnews report`: one self-contained HTML page of charts over an output (Plotly, inline JS).

The page reads nothing at view time: plotly.js is embedded once and every chart's data is in
the file, so it opens offline and can be mailed. The numbers come from the catalogue's views
(built in memory, so the report writes nothing into the output and needs no lock).
"""

from __future__ import annotations

import datetime as dt
import html
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from flows.bi.catalog import create_views

TOP = 15
TOP_OUTLETS = 8
TOP_SLOGANS = 8
_HEIGHT = 420  # pixels per chart
_FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
_NO_OUTLET = "(no outlet)"
_DAY_MS = 24 * 3600 * 1000
# Over a longer span one bar per day is a hairline: bars are then weeks (starting Monday).
_DAILY_SPAN = dt.timedelta(days=120)
_OTHER_OUTLETS = "(other outlets)"
_NO_DATA = "no data in this output yet"


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    note: str
    figure: go.Figure
    empty: str = _NO_DATA  # shown instead of empty axes

    def has_data(self) -> bool:
        return any(len(trace.x or ()) for trace in self.figure.data)


def write_report(output: Path, destination: Path) -> list[Chart]:
    """Write the report of `output` to `destination`; returns the charts it holds."""
    with duckdb.connect() as con:
        views = set(create_views(con, output))
        charts = _charts(con, views)
        facts = _facts(con)
    destination.write_text(_page(output, facts, charts), encoding="utf-8")
    return charts


def _charts(con: duckdb.DuckDBPyConnection, views: set[str]) -> list[Chart]:
    """The division charts where this output has division codes, else their plain fallbacks."""

    def has_rows(view: str) -> bool:
        return view in views and con.execute(f"SELECT 1 FROM {view} LIMIT 1").fetchone() is not None

    bars = [
        ENTITIES_BY_PROVINCE
        if has_rows("places_by_division")
        else top_entities("LOC", "Places mentioned in most documents"),
        top_entities("ORG", "Bodies mentioned in most documents"),
        TOP_OFFICIALS
        if has_rows("officials_by_division")
        else top_entities("PERSON", "People mentioned in most documents"),
        REJECT_REASONS,
    ]
    return [_documents_per_day(con), _slogans_over_time(con), *(bar.drawn(con) for bar in bars)]


def _documents_per_day(con: duckdb.DuckDBPyConnection) -> Chart:
    rows = con.execute(
        "SELECT published_date, coalesce(outlet, ?), documents FROM documents_by_day "
        "WHERE published_date IS NOT NULL ORDER BY published_date",
        [_NO_OUTLET],
    ).fetchall()
    totals: defaultdict[str, int] = defaultdict(int)
    for _, outlet, documents in rows:
        totals[outlet] += documents
    shown = set(sorted(totals, key=lambda o: (-totals[o], o))[:TOP_OUTLETS])
    weekly = bool(rows) and rows[-1][0] - rows[0][0] > _DAILY_SPAN
    series: defaultdict[str, defaultdict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for day, outlet, documents in rows:
        bar = day - dt.timedelta(days=day.weekday()) if weekly else day
        series[outlet if outlet in shown else _OTHER_OUTLETS][bar] += documents
    width = 0.8 * _DAY_MS * (7 if weekly else 1)
    figure = go.Figure(
        [
            go.Bar(
                name=outlet,
                x=[bar + dt.timedelta(days=3 if weekly else 0) for bar in bars],
                y=list(bars.values()),
                width=width,
            )
            for outlet, bars in sorted(series.items(), key=lambda item: -sum(item[1].values()))
        ]
    )
    figure.update_layout(
        barmode="stack",
        showlegend=True,
        xaxis_title="week of publication" if weekly else "publication day",
        yaxis_title="documents per week" if weekly else "documents",
    )
    undated = con.execute(
        "SELECT coalesce(sum(documents), 0) FROM documents_by_day WHERE published_date IS NULL"
    ).fetchone()[0]
    return Chart(
        "Documents per day by outlet",
        " ".join(
            [
                f"Stacked by outlet (the {TOP_OUTLETS} largest; the rest together)"
                + ("; one bar per week, as the days span more than 120." if weekly else "."),
                f"{undated} document(s) without a known publication year are not shown."
                if undated
                else "",
            ]
        ),
        figure,
    )


def _slogans_over_time(con: duckdb.DuckDBPyConnection) -> Chart:
    rows = con.execute(
        """
        WITH top AS (
            SELECT canonical, row_number() OVER (
                ORDER BY sum(documents) DESC, sum(mentions) DESC, canonical
            ) AS rank
            FROM slogans_by_month GROUP BY canonical ORDER BY rank LIMIT ?
        ),
        months AS (  -- every month in between, so a quiet month reads 0, not a line across it
            SELECT CAST(unnest(generate_series(min(month), max(month), INTERVAL 1 MONTH)) AS DATE)
                AS month
            FROM slogans_by_month
        )
        SELECT t.canonical, m.month, coalesce(sum(s.mentions), 0) AS mentions
        FROM top AS t CROSS JOIN months AS m
        LEFT JOIN slogans_by_month AS s ON s.canonical = t.canonical AND s.month = m.month
        GROUP BY t.rank, t.canonical, m.month ORDER BY t.rank, m.month
        """,
        [TOP_SLOGANS],
    ).fetchall()
    series: defaultdict[str, list[tuple[dt.date, int]]] = defaultdict(list)
    for canonical, month, mentions in rows:
        series[canonical].append((month, mentions))
    figure = go.Figure(
        [
            go.Scatter(
                name=canonical,
                x=[month for month, _ in points],
                y=[mentions for _, mentions in points],
                mode="lines+markers",
            )
            for canonical, points in series.items()
        ]
    )
    figure.update_layout(
        xaxis_title="month of publication", yaxis_title="mentions", showlegend=True
    )
    if rows:  # half a month of margin: a single month otherwise gets millisecond ticks
        margin = dt.timedelta(days=15)
        first, last = rows[0][1], rows[-1][1]
        figure.update_xaxes(
            range=[first - margin, last + margin],
            tickformat="%Y-%m",
            dtick="M1" if (last - first).days < 366 else None,
        )
    return Chart(
        "Top slogans over time",
        f"Monthly mentions of the {TOP_SLOGANS} slogans found in the most documents.",
        figure,
    )


@dataclass(frozen=True, slots=True)
class BarChart:
    """A chart of horizontal bars: `sql` gives (name, value) rows, largest first."""

    title: str
    note: str
    sql: str
    unit: str
    parameters: tuple[object, ...] = (TOP,)
    empty: str = _NO_DATA

    def drawn(self, con: duckdb.DuckDBPyConnection) -> Chart:
        rows = con.execute(self.sql, list(self.parameters)).fetchall()
        return Chart(self.title, self.note, _horizontal_bars(rows, self.unit), self.empty)


ENTITIES_BY_PROVINCE = BarChart(
    "Entities by province",
    "Mentions of places and bodies linked to a division, summed per province.",
    "SELECT province, sum(mentions) AS n FROM places_by_division "
    "WHERE province IS NOT NULL GROUP BY province ORDER BY n DESC, province LIMIT ?",
    "mentions",
)
TOP_OFFICIALS = BarChart(
    "Officials named in most documents",
    f"The {TOP} officials (person · organisation and post) named in most documents.",
    "SELECT person || ' · ' || coalesce(organisation, '') || coalesce(title, ''), "
    "sum(documents) AS n FROM officials_by_division GROUP BY ALL ORDER BY n DESC, 1 LIMIT ?",
    "documents",
)
REJECT_REASONS = BarChart(
    "Reject reasons",
    "Inputs that produced no document, by reason.",
    "SELECT reason, count(*) AS n FROM rejects GROUP BY reason ORDER BY n DESC, reason",
    "inputs",
    parameters=(),
    empty="no inputs were rejected",
)


def top_entities(label: str, title: str) -> BarChart:
    return BarChart(
        title,
        f"The {TOP} {label} entities named in most documents.",
        "SELECT text, count(DISTINCT doc_id) AS n FROM entities WHERE label = ? "
        "GROUP BY text ORDER BY n DESC, text LIMIT ?",
        "documents",
        parameters=(label, TOP),
    )


def _horizontal_bars(rows: Sequence[tuple[str, int]], unit: str) -> go.Figure:
    figure = go.Figure(
        go.Bar(
            x=[n for _, n in rows],
            y=[name for name, _ in rows],
            orientation="h",
            marker_color="#3b6ea8",
        )
    )
    figure.update_layout(
        xaxis_title=unit,
        yaxis_autorange="reversed",
        showlegend=False,
        bargap=0.3,
        height=min(_HEIGHT, 110 + 26 * max(len(rows), 3)),  # a few bars stay bar-shaped
    )
    return figure


def _facts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    documents, articles, first, last = con.execute(
        "SELECT count(*), count(DISTINCT doc_id), min(published_date), max(published_date) "
        "FROM documents"
    ).fetchone()
    counts = {
        table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("entities", "slogans", "rejects", "runs")
    }
    failed = con.execute("SELECT count(*) FROM runs WHERE status = 'failed'").fetchone()[0]
    return [
        ("documents", f"{documents:,}"),
        ("distinct texts", f"{articles:,}"),
        ("published", f"{first} – {last}" if first else "–"),
        ("entity mentions", f"{counts['entities']:,}"),
        ("slogan mentions", f"{counts['slogans']:,}"),
        ("rejected inputs", f"{counts['rejects']:,}"),
        ("runs", f"{counts['runs']:,}" + (f" ({failed:,} failed)" if failed else "")),
    ]


def _page(output: Path, facts: list[tuple[str, str]], charts: list[Chart]) -> str:
    sections = []
    for number, chart in enumerate(charts):
        chart.figure.update_layout(
            template="plotly_white",
            font_family=_FONT,
            height=chart.figure.layout.height or _HEIGHT,
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            legend={"orientation": "h", "y": -0.2},
        )
        chart.figure.update_yaxes(automargin=True)
        if not chart.has_data():
            chart.figure.add_annotation(text=chart.empty, showarrow=False, font_size=16)
            chart.figure.update_xaxes(visible=False)
            chart.figure.update_yaxes(visible=False)
        figure_html = chart.figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=f"chart-{number}",
            config={"displayModeBar": False, "responsive": True},
        )
        sections.append(
            f'<section class="card"><h2>{html.escape(chart.title)}</h2>'
            f'<p class="note">{html.escape(chart.note)}</p>{figure_html}</section>'
        )
    fact_html = "".join(
        f'<div class="fact"><span class="value">{html.escape(value)}</span>'
        f'<span class="label">{html.escape(label)}</span></div>'
        for label, value in facts
    )
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>zhnews report: {html.escape(str(output))}</title>
<script>{get_plotlyjs()}</script>
<style>{_STYLE}</style>
</head>
<body>
<header><h1>zhnews report</h1>
<p class="note">{html.escape(str(output.resolve()))} · generated {generated}</p></header>
<div class="facts">{fact_html}</div>
<main>{"".join(sections)}</main>
</body>
</html>
"""


_STYLE = f"""
body {{ margin: 0; background: #f4f5f7; color: #1f2933; font-family: {_FONT}; }}
header {{ padding: 24px 32px 8px; }}
h1 {{ margin: 0; font-size: 26px; }}
h2 {{ margin: 0 0 4px; font-size: 18px; }}
.note {{ margin: 0 0 8px; color: #616e7c; font-size: 13px; }}
.facts {{ display: flex; flex-wrap: wrap; gap: 12px; padding: 8px 32px; }}
.fact {{ background: #fff; border-radius: 8px; padding: 10px 16px; min-width: 110px;
        box-shadow: 0 1px 2px rgba(0,0,0,.08); }}
.fact .value {{ display: block; font-size: 20px; font-weight: 600; }}
.fact .label {{ color: #616e7c; font-size: 12px; }}
main {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px;
       padding: 16px 32px 32px; }}
.card {{ background: #fff; border-radius: 8px; padding: 16px; min-width: 0;
        box-shadow: 0 1px 2px rgba(0,0,0,.08); }}
"""
