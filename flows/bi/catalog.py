"""`zhnews catalog`: a DuckDB file of views over an output's Parquet, with its data dictionary.

`OUTPUT/zhnews.duckdb` holds no data: each table is a view over
`read_parquet('<absolute OUTPUT>/<table>/**/*.parquet')`, so it shows new runs as soon as they
commit, and analysis views join the tables the way analysts ask (mentions with their
document's day, outlet and place; slogans by month; entity pairs; divisions). Every view and
column carries a COMMENT taken from the schemas in `flows/store/tables.py`, the same text as
the Parquet field metadata and `docs/tables.md` (`python -m flows.bi.catalog docs/tables.md`
writes it). An analysis view is created only when the tables and columns it needs exist in
this output, so older outputs, and outputs without officials or divisions, still get the rest.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from flows.store.schemas import PARTITION_COLUMN, SCHEMAS, SHANGHAI, Table

CATALOG_NAME = "zhnews.duckdb"
# The file holds views only; this storage version lets BI tools that bundle DuckDB 1.x open it.
_STORAGE_VERSION = "v1.0.0"
_DESCRIPTION = b"description"
_MISSING_TABLE = "No rows: this output has no Parquet files for the table yet."


@dataclass(frozen=True, slots=True)
class AnalysisView:
    """A view over the table views; `requires` names the views and columns its SQL reads."""

    name: str
    description: str
    sql: str
    columns: Mapping[str, str]  # every column of the view, in order, with its description
    requires: Mapping[str, frozenset[str]] = field(default_factory=dict)


def _described(table: Table, column: str) -> str:
    return SCHEMAS[table].field(column).metadata[_DESCRIPTION].decode()


def _needs(**columns: str) -> dict[str, frozenset[str]]:
    return {view: frozenset(names.split()) for view, names in columns.items()}


# Columns an output written by an older zhnews lacks, derived from the columns it has: the
# catalogue reads without the lock, so it presents them while `run`/`compact` migrate the files.
_DERIVED_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    Table.DOCUMENTS: {
        "published_date": (
            f"CAST(timezone('{SHANGHAI}', published_at) AS DATE)",
            "Publication day in Asia/Shanghai; null when the year is unknown.",
        )
    }
}
_PUBLISHED_DATE = _DERIVED_COLUMNS[Table.DOCUMENTS]["published_date"][1]
_DAY_RANGE = {
    "first_day": "Earliest publication day among those documents.",
    "last_day": "Latest publication day among those documents.",
}
_DIVISION = {
    "level": "province, prefecture or county (divisions.level).",
    "province": "Name of the province the division lies in (divisions.province).",
    "prefecture": "Name of the prefecture it lies in; null for provinces (divisions.prefecture).",
}

ANALYSIS_VIEWS: tuple[AnalysisView, ...] = (
    AnalysisView(
        "articles",
        "One row per distinct article (doc_id): its first occurrence's title, day and outlet.",
        """
        SELECT doc_id, title, published_date, published_at, outlet, source, url, n_chars,
               count(*) OVER (PARTITION BY doc_id) AS occurrences
        FROM documents
        QUALIFY row_number() OVER (
            PARTITION BY doc_id ORDER BY is_first_occurrence DESC, ingest_date, source, record_id
        ) = 1
        """,
        {
            "doc_id": _described(Table.DOCUMENTS, "doc_id"),
            "title": _described(Table.DOCUMENTS, "title"),
            "published_date": _PUBLISHED_DATE,
            "published_at": _described(Table.DOCUMENTS, "published_at"),
            "outlet": _described(Table.DOCUMENTS, "outlet"),
            "source": _described(Table.DOCUMENTS, "source"),
            "url": _described(Table.DOCUMENTS, "url"),
            "n_chars": _described(Table.DOCUMENTS, "n_chars"),
            "occurrences": "Rows of documents with this text (outlets and re-scrapes).",
        },
        _needs(documents="doc_id published_date is_first_occurrence ingest_date"),
    ),
    # A document's place: the division it mentions most (ties: the earliest), else its most
    # mentioned place name when this output has no division codes.
    AnalysisView(
        "document_places",
        "Each document's main place: the division it mentions most often.",
        """
        WITH counted AS (
            SELECT doc_id, adcode, count(*) AS mentions, min(start_char) AS first_char
            FROM entities WHERE adcode IS NOT NULL GROUP BY doc_id, adcode
        )
        SELECT c.doc_id, v.name AS place, c.adcode, v.province, c.mentions
        FROM counted AS c JOIN divisions AS v ON v.code = c.adcode
        QUALIFY row_number() OVER (PARTITION BY c.doc_id ORDER BY c.mentions DESC, c.first_char)
            = 1
        """,
        {
            "doc_id": _described(Table.DOCUMENTS, "doc_id"),
            "place": "Name of the document's most mentioned division (or place name).",
            "adcode": "Its 6-digit division code; null without division codes.",
            "province": "The province it lies in; null without division codes.",
            "mentions": "How often the document mentions it.",
        },
        _needs(entities="doc_id adcode start_char", divisions="code name province"),
    ),
    AnalysisView(
        "document_places",
        "Each document's main place: the place name it mentions most often.",
        """
        WITH counted AS (
            SELECT doc_id, text, count(*) AS mentions, min(start_char) AS first_char
            FROM entities WHERE label = 'LOC' GROUP BY doc_id, text
        )
        SELECT doc_id, text AS place, NULL::VARCHAR AS adcode, NULL::VARCHAR AS province,
               mentions
        FROM counted
        QUALIFY row_number() OVER (PARTITION BY doc_id ORDER BY mentions DESC, first_char) = 1
        """,
        {
            "doc_id": _described(Table.DOCUMENTS, "doc_id"),
            "place": "Name of the document's most mentioned division (or place name).",
            "adcode": "Its 6-digit division code; null without division codes.",
            "province": "The province it lies in; null without division codes.",
            "mentions": "How often the document mentions it.",
        },
        _needs(entities="doc_id label text start_char"),
    ),
    AnalysisView(
        "mentions",
        "Entity mentions with their document's publication day, outlet and place.",
        """
        SELECT e.doc_id, e.label, e.text, e.start_char, e.end_char, e.sentence,
               a.published_date, a.outlet, a.source, p.place, p.adcode AS place_adcode,
               p.province AS place_province
        FROM entities AS e
        JOIN articles AS a ON a.doc_id = e.doc_id
        LEFT JOIN document_places AS p ON p.doc_id = e.doc_id
        """,
        {
            "doc_id": _described(Table.ENTITIES, "doc_id"),
            "label": _described(Table.ENTITIES, "label"),
            "text": _described(Table.ENTITIES, "text"),
            "start_char": _described(Table.ENTITIES, "start_char"),
            "end_char": _described(Table.ENTITIES, "end_char"),
            "sentence": _described(Table.ENTITIES, "sentence"),
            "published_date": _PUBLISHED_DATE,
            "outlet": _described(Table.DOCUMENTS, "outlet"),
            "source": _described(Table.DOCUMENTS, "source"),
            "place": "The document's main place (document_places.place).",
            "place_adcode": "Division code of the document's main place, when known.",
            "place_province": "Province of the document's main place, when known.",
        },
        _needs(entities="doc_id label text sentence", articles="", document_places=""),
    ),
    AnalysisView(
        "documents_by_day",
        "Documents per publication day and outlet (every occurrence counts).",
        """
        SELECT published_date, outlet, count(*) AS documents,
               count(DISTINCT doc_id) AS articles, sum(n_chars) AS chars
        FROM documents GROUP BY published_date, outlet
        """,
        {
            "published_date": _PUBLISHED_DATE,
            "outlet": _described(Table.DOCUMENTS, "outlet"),
            "documents": "Rows of documents published that day by that outlet.",
            "articles": "Distinct texts (doc_id) among them.",
            "chars": "Characters of text among them.",
        },
        _needs(documents="doc_id published_date outlet n_chars"),
    ),
    AnalysisView(
        "slogans_by_month",
        "Slogan mentions per month of publication and canonical slogan.",
        """
        SELECT CAST(date_trunc('month', a.published_date) AS DATE) AS month, s.canonical,
               s.category, count(*) AS mentions, count(DISTINCT s.doc_id) AS documents
        FROM slogans AS s JOIN articles AS a ON a.doc_id = s.doc_id
        GROUP BY month, s.canonical, s.category
        """,
        {
            "month": "First day of the month of publication; null when the year is unknown.",
            "canonical": _described(Table.SLOGANS, "canonical"),
            "category": _described(Table.SLOGANS, "category"),
            "mentions": "Mentions of the slogan in documents published that month.",
            "documents": "Documents mentioning it that month.",
        },
        _needs(slogans="doc_id canonical category", articles=""),
    ),
    AnalysisView(
        "entity_pairs",
        "Entity co-occurrence: pairs of distinct entities named in the same documents.",
        """
        WITH named AS (SELECT DISTINCT doc_id, label, text FROM entities)
        SELECT a.label AS label_a, a.text AS entity_a, b.label AS label_b, b.text AS entity_b,
               count(*) AS documents, min(d.published_date) AS first_day,
               max(d.published_date) AS last_day
        FROM named AS a
        JOIN named AS b
            ON b.doc_id = a.doc_id
            AND (a.label < b.label OR (a.label = b.label AND a.text < b.text))
        JOIN articles AS d ON d.doc_id = a.doc_id
        GROUP BY a.label, a.text, b.label, b.text
        """,
        {
            "label_a": "Label of the first entity (PERSON, ORG or LOC).",
            "entity_a": "The first entity's text (the pair is ordered: label_a, entity_a first).",
            "label_b": "Label of the second entity.",
            "entity_b": "The second entity's text.",
            "documents": "Documents naming both.",
            **_DAY_RANGE,
        },
        _needs(entities="doc_id label text", articles=""),
    ),
    AnalysisView(
        "places_by_division",
        "Mentions of places and bodies per administrative division (entities.adcode).",
        """
        SELECT v.code AS adcode, v.name, v.level, v.province, v.prefecture,
               count(*) AS mentions, count(DISTINCT e.doc_id) AS documents,
               min(a.published_date) AS first_day, max(a.published_date) AS last_day
        FROM entities AS e
        JOIN divisions AS v ON v.code = e.adcode
        LEFT JOIN articles AS a ON a.doc_id = e.doc_id
        GROUP BY v.code, v.name, v.level, v.province, v.prefecture
        """,
        {
            "adcode": "6-digit division code (divisions.code).",
            "name": "Today's name of the division (divisions.name).",
            **_DIVISION,
            "mentions": "Entity mentions linked to the division.",
            "documents": "Documents with such a mention.",
            **_DAY_RANGE,
        },
        _needs(
            entities="doc_id adcode",
            divisions="code name level province prefecture",
            articles="",
        ),
    ),
    AnalysisView(
        "officials_by_division",
        "Officials (person, title, organisation) per division, with how often they appear.",
        """
        SELECT o.adcode, v.name AS division, v.level, v.province, v.prefecture, o.person,
               o.title, o.organisation, count(DISTINCT o.doc_id) AS documents,
               min(a.published_date) AS first_day, max(a.published_date) AS last_day
        FROM officials AS o
        LEFT JOIN divisions AS v ON v.code = o.adcode
        LEFT JOIN articles AS a ON a.doc_id = o.doc_id
        GROUP BY ALL
        """,
        {
            "adcode": "Division code of the official's post; null when not linked.",
            "division": "Name of that division (divisions.name).",
            **_DIVISION,
            "person": "The official's name as first written with that post.",
            "title": "The post's title (书记, 市长, 局长, …).",
            "organisation": "The body the post belongs to.",
            "documents": "Documents naming the official with this post.",
            **_DAY_RANGE,
        },
        _needs(
            officials="doc_id person title organisation adcode",
            divisions="code name level province prefecture",
            articles="",
        ),
    ),
)


def write_catalog(output: Path) -> Path:
    """Write OUTPUT/zhnews.duckdb afresh, atomically (readers keep the file they opened)."""
    target = output / CATALOG_NAME
    temp = output / f".{CATALOG_NAME}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        with duckdb.connect(
            str(temp), config={"storage_compatibility_version": _STORAGE_VERSION}
        ) as con:
            con.begin()  # one commit: each statement on its own would sync the file
            create_views(con, output)
            con.commit()
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return target


def create_views(con: duckdb.DuckDBPyConnection, output: Path) -> list[str]:
    """Create and comment the table and analysis views of `output`; returns their names."""
    # Each view's columns, read once: binding a view reads the footer of every Parquet file.
    columns = {
        name: _create_table_view(con, output.resolve(), name) for name in _table_names(output)
    }
    for view in ANALYSIS_VIEWS:
        needs = view.requires.items()
        if view.name in columns or not all(v in columns and c <= columns[v] for v, c in needs):
            continue
        con.execute(f"CREATE VIEW {_ident(view.name)} AS {view.sql}")
        columns[view.name] = set(view.columns)
        _comment(con, view.name, view.description, view.columns, columns[view.name])
    return list(columns)


def _table_names(output: Path) -> list[str]:
    """Declared tables, then any other dataset directory (a table of a newer zhnews)."""
    found = sorted(
        p.name
        for p in output.iterdir()
        if p.is_dir() and not p.name.startswith(".") and next(p.rglob("*.parquet"), None)
    )
    return [*Table, *(name for name in found if name not in set(Table))]


def _create_table_view(con: duckdb.DuckDBPyConnection, output: Path, name: str) -> set[str]:
    """Create the view of one table; returns its columns."""
    first_file = next((output / name).rglob("*.parquet"), None)
    if first_file is None:
        file_schema = None
        source = f"({_empty_select(con, SCHEMAS[Table(name)])})"
    else:
        file_schema = pq.read_schema(first_file)
        glob = _literal(f"{output / name}/**/*.parquet")
        source = f"read_parquet({glob}, hive_partitioning = true, union_by_name = true)"
    con.execute(f"CREATE VIEW {_ident(name)} AS SELECT * FROM {source}")
    columns = set(con.table(_ident(name)).columns)
    select = _select_with_derived(name, columns)
    if select != "*":
        con.execute(f"CREATE OR REPLACE VIEW {_ident(name)} AS SELECT {select} FROM {source}")
        columns |= set(_DERIVED_COLUMNS[name])
    description = _table_description(name, file_schema)
    if first_file is None:
        description = f"{description} {_MISSING_TABLE}"
    _comment(con, name, description, _column_descriptions(name, file_schema), columns)
    return columns


def _select_with_derived(name: str, present: set[str]) -> str:
    """`*` with the derived columns: added when absent, filled in where null when present
    (files from before and after a column came may be mixed)."""
    replaced, added = [], ""
    for column, (sql, _) in _DERIVED_COLUMNS.get(name, {}).items():
        if column in present:
            replaced.append(f"coalesce({_ident(column)}, {sql}) AS {_ident(column)}")
        else:
            added += f", {sql} AS {_ident(column)}"
    return "*" + (f" REPLACE ({', '.join(replaced)})" if replaced else "") + added


def _declared(name: str) -> pa.Schema | None:
    return SCHEMAS[Table(name)] if name in set(Table) else None


def _table_description(name: str, file_schema: pa.Schema | None) -> str:
    schema = _declared(name) or file_schema
    metadata = (schema.metadata if schema is not None else None) or {}
    return metadata.get(_DESCRIPTION, b"").decode()


def _column_descriptions(name: str, file_schema: pa.Schema | None) -> dict[str, str]:
    """Declared descriptions, else those the Parquet files carry (a table of a newer zhnews)."""
    descriptions = {PARTITION_COLUMN.name: PARTITION_COLUMN.metadata[_DESCRIPTION].decode()}
    descriptions |= {c: text for c, (_, text) in _DERIVED_COLUMNS.get(name, {}).items()}
    for schema in (file_schema, _declared(name)):
        for column in schema or []:
            if column.metadata and _DESCRIPTION in column.metadata:
                descriptions[column.name] = column.metadata[_DESCRIPTION].decode()
    return descriptions


def _empty_select(con: duckdb.DuckDBPyConnection, schema: pa.Schema) -> str:
    """A typed SELECT with no rows, for a declared table that has no files yet."""
    relation = con.from_arrow(schema.append(PARTITION_COLUMN).empty_table())
    columns = ", ".join(
        f"CAST(NULL AS {kind}) AS {_ident(name)}"
        for name, kind in zip(relation.columns, relation.types, strict=True)
    )
    return f"SELECT {columns} WHERE false"


def _comment(
    con: duckdb.DuckDBPyConnection,
    view: str,
    description: str,
    descriptions: Mapping[str, str],
    columns: set[str],
) -> None:
    """COMMENT the view and each of its `columns` that has a description."""
    con.execute(f"COMMENT ON VIEW {_ident(view)} IS {_literal(description)}")
    for column, text in descriptions.items():
        if column in columns and text:
            con.execute(f"COMMENT ON COLUMN {_ident(view)}.{_ident(column)} IS {_literal(text)}")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def data_dictionary() -> str:
    """docs/tables.md: every table, column and analysis view with its description."""
    lines = [
        "# zhnews tables",
        "",
        "Generated from `flows/store/tables.toml` and `flows/bi/catalog.py` by",
        "`python -m flows.bi.catalog docs/tables.md`; the same text is in the Parquet field",
        "metadata and in the COMMENTs of `OUTPUT/zhnews.duckdb`. Every partitioned table also has",
        f"`{PARTITION_COLUMN.name}` ({PARTITION_COLUMN.type}): "
        f"{PARTITION_COLUMN.metadata[_DESCRIPTION].decode()}",
        "",
    ]
    for table, schema in SCHEMAS.items():
        lines += [f"## {table.value}", "", schema.metadata[_DESCRIPTION].decode(), ""]
        lines += _markdown_rows(
            ("column", "type", "description"),
            ((f"`{f.name}`", f"`{f.type}`", _field_text(f)) for f in schema),
        )
    lines += [
        "## Analysis views (in `zhnews.duckdb`)",
        "",
        "Created when the tables and columns they read exist in the output.",
        "",
    ]
    for view in _first_variants():
        lines += [f"### {view.name}", "", view.description, ""]
        lines += _markdown_rows(
            ("column", "description"),
            ((f"`{name}`", text) for name, text in view.columns.items()),
        )
    return "\n".join(lines)


def _field_text(column: pa.Field) -> str:
    text = column.metadata[_DESCRIPTION].decode()
    return text if column.nullable else f"{text} Never null."


def _markdown_rows(header: tuple[str, ...], rows: Iterator[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _first_variants() -> list[AnalysisView]:
    seen: dict[str, AnalysisView] = {}
    for view in ANALYSIS_VIEWS:
        seen.setdefault(view.name, view)
    return list(seen.values())


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(data_dictionary(), encoding="utf-8")
