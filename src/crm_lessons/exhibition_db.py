"""A real embedded database for the simulated fair: SQLite tables for the five exhibition CRM modules.

:func:`write_database` stores the tables of :func:`crm_lessons.exhibition.simulate_fair` in SQLite
(Python's built-in :mod:`sqlite3`) with primary and foreign keys, grouped by the five modules of an
exhibition CRM system (exhibitor, professional-visitor, supplier, partner and internal-staff management)
plus the services and the editions that tie them together. :func:`schema` reads the structure back from
the database's own catalog, :func:`check_database` counts rows, checks keys and looks for orphan records,
and :func:`database_digest` fingerprints the contents (same seed, same digest).

The database lives in memory by default; pass a path under a temporary or ``runs/`` folder to keep a file
(never inside the repository tree).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ._validate import CRMInputError, CRMTypeError, require_columns, require_frame

__all__ = ["DDL", "MODULES", "write_database", "schema", "schema_summary", "check_database", "database_digest", "query",
           "read_tables"]

#: Which CRM module each table belongs to (course section 7).
MODULES = {
    "exhibitors": "exhibitor management",
    "exhibitor_interests": "exhibitor management",
    "participations": "exhibitor management",
    "visitors": "professional-visitor management",
    "visitor_interests": "professional-visitor management",
    "registrations": "professional-visitor management",
    "badge_scans": "professional-visitor management",
    "suppliers": "supplier management",
    "supplier_contracts": "supplier management",
    "partners": "partner management",
    "partner_activities": "partner management",
    "staff": "staff management",
    "services": "services (pre-show, on-site, post-show)",
    "editions": "the fair (organiser and venue)",
}

#: The schema, in creation order (parents before children).
DDL = {
    "editions": """CREATE TABLE editions (
        edition INTEGER PRIMARY KEY,
        year INTEGER NOT NULL,
        venue TEXT NOT NULL,
        price_per_sqm REAL NOT NULL CHECK (price_per_sqm > 0),
        opening_date TEXT NOT NULL)""",
    "staff": """CREATE TABLE staff (
        staff_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        hired_year INTEGER)""",
    "suppliers": """CREATE TABLE suppliers (
        supplier_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        supplier_type TEXT NOT NULL,
        rating REAL CHECK (rating BETWEEN 1 AND 5))""",
    "partners": """CREATE TABLE partners (
        partner_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        partner_type TEXT NOT NULL,
        industry TEXT)""",
    "exhibitors": """CREATE TABLE exhibitors (
        exhibitor_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        industry TEXT NOT NULL,
        company_size TEXT NOT NULL,
        first_edition INTEGER NOT NULL REFERENCES editions(edition),
        builder_id INTEGER REFERENCES suppliers(supplier_id),
        account_manager_id INTEGER REFERENCES staff(staff_id))""",
    "exhibitor_interests": """CREATE TABLE exhibitor_interests (
        exhibitor_id INTEGER NOT NULL REFERENCES exhibitors(exhibitor_id),
        tag TEXT NOT NULL,
        PRIMARY KEY (exhibitor_id, tag))""",
    "participations": """CREATE TABLE participations (
        exhibitor_id INTEGER NOT NULL REFERENCES exhibitors(exhibitor_id),
        edition INTEGER NOT NULL REFERENCES editions(edition),
        booth_sqm REAL NOT NULL CHECK (booth_sqm > 0),
        booth_fee REAL NOT NULL CHECK (booth_fee >= 0),
        satisfaction INTEGER NOT NULL CHECK (satisfaction BETWEEN 1 AND 5),
        followed_up INTEGER NOT NULL,
        PRIMARY KEY (exhibitor_id, edition))""",
    "services": """CREATE TABLE services (
        service_id INTEGER PRIMARY KEY,
        exhibitor_id INTEGER NOT NULL,
        edition INTEGER NOT NULL,
        stage TEXT NOT NULL CHECK (stage IN ('pre-show', 'on-site', 'post-show')),
        service TEXT NOT NULL,
        nature TEXT NOT NULL,
        fee REAL NOT NULL CHECK (fee >= 0),
        staff_id INTEGER NOT NULL REFERENCES staff(staff_id),
        supplier_id INTEGER REFERENCES suppliers(supplier_id),
        quality REAL NOT NULL CHECK (quality BETWEEN 0 AND 1),
        FOREIGN KEY (exhibitor_id, edition) REFERENCES participations(exhibitor_id, edition))""",
    "visitors": """CREATE TABLE visitors (
        visitor_id INTEGER PRIMARY KEY,
        company TEXT NOT NULL,
        role TEXT NOT NULL,
        company_size TEXT NOT NULL,
        home_industry TEXT NOT NULL,
        first_edition INTEGER NOT NULL REFERENCES editions(edition),
        source_partner_id INTEGER REFERENCES partners(partner_id))""",
    "visitor_interests": """CREATE TABLE visitor_interests (
        visitor_id INTEGER NOT NULL REFERENCES visitors(visitor_id),
        tag TEXT NOT NULL,
        PRIMARY KEY (visitor_id, tag))""",
    "registrations": """CREATE TABLE registrations (
        visitor_id INTEGER NOT NULL REFERENCES visitors(visitor_id),
        edition INTEGER NOT NULL REFERENCES editions(edition),
        channel TEXT NOT NULL,
        attended INTEGER NOT NULL,
        PRIMARY KEY (visitor_id, edition))""",
    "badge_scans": """CREATE TABLE badge_scans (
        scan_id INTEGER PRIMARY KEY,
        edition INTEGER NOT NULL,
        visitor_id INTEGER NOT NULL,
        exhibitor_id INTEGER NOT NULL,
        FOREIGN KEY (visitor_id, edition) REFERENCES registrations(visitor_id, edition),
        FOREIGN KEY (exhibitor_id, edition) REFERENCES participations(exhibitor_id, edition))""",
    "supplier_contracts": """CREATE TABLE supplier_contracts (
        contract_id INTEGER PRIMARY KEY,
        edition INTEGER NOT NULL REFERENCES editions(edition),
        supplier_id INTEGER NOT NULL REFERENCES suppliers(supplier_id),
        service TEXT NOT NULL,
        value REAL NOT NULL CHECK (value >= 0))""",
    "partner_activities": """CREATE TABLE partner_activities (
        activity_id INTEGER PRIMARY KEY,
        edition INTEGER NOT NULL REFERENCES editions(edition),
        partner_id INTEGER NOT NULL REFERENCES partners(partner_id),
        activity TEXT NOT NULL,
        visitors_referred INTEGER NOT NULL CHECK (visitors_referred >= 0))""",
}


def _columns_of(ddl: str) -> list[str]:
    cols = []
    for line in ddl.splitlines()[1:]:
        word = line.strip().split(" ")[0]
        if word and word.upper() not in ("PRIMARY", "FOREIGN") and not word.startswith(")"):
            cols.append(word)
    return cols


def _py(v):
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def write_database(tables: Mapping[str, pd.DataFrame], path: str | Path = ":memory:", *,
                   overwrite: bool = False) -> sqlite3.Connection:
    """Write the simulated fair to a SQLite database with primary and foreign keys.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The first value returned by :func:`crm_lessons.exhibition.simulate_fair`.
    path : str or Path, default ":memory:"
        Database file; ``":memory:"`` keeps it in memory. Put files in a temporary or ``runs/`` folder.
    overwrite : bool, default False
        Replace an existing file at ``path``.

    Returns
    -------
    sqlite3.Connection
        An open connection with foreign-key enforcement on. Query it with :func:`query` or
        ``pd.read_sql(sql, con)``.

    Examples
    --------
    >>> from crm_lessons.exhibition import simulate_fair
    >>> tables, _ = simulate_fair(2, seed=0, n_exhibitors=30, new_exhibitors=5, n_visitors=100)
    >>> con = write_database(tables)
    >>> query(con, "SELECT COUNT(*) AS n FROM exhibitors")["n"].item()
    35
    """
    where = "write_database"
    if not isinstance(tables, Mapping):
        raise CRMTypeError(f"{where}: tables must be a dict of table name -> DataFrame (the first value "
                           f"simulate_fair returns), got {type(tables).__name__}.")
    missing = [t for t in DDL if t not in tables]
    if missing:
        raise CRMInputError(f"{where}: tables lacks {missing}; pass the whole dict that simulate_fair returns.")
    for name in DDL:
        require_frame(tables[name], where=f"{where} ({name})", allow_empty=name in ("badge_scans",))
        require_columns(tables[name], _columns_of(DDL[name]), where=f"{where} ({name})")
    if str(path) != ":memory:":
        p = Path(path)
        if p.exists():
            if not overwrite:
                raise CRMInputError(f"{where}: {p} exists; pass overwrite=True or choose another path.")
            p.unlink()
        p.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(str(path))
    con.execute("PRAGMA foreign_keys = ON")
    try:
        with con:
            for name, ddl in DDL.items():
                con.execute(ddl)
                cols = _columns_of(ddl)
                frame = tables[name][cols]
                rows = [tuple(_py(v) for v in row) for row in frame.itertuples(index=False, name=None)]
                marks = ", ".join("?" * len(cols))
                con.executemany(f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({marks})", rows)
    except sqlite3.IntegrityError as err:
        con.close()
        raise CRMInputError(f"{where}: the tables break a key or check of the schema ({err}); they must "
                            "come unchanged from simulate_fair.") from err
    return con


def _require_con(con, where: str) -> sqlite3.Connection:
    if not isinstance(con, sqlite3.Connection):
        raise CRMTypeError(f"{where}: expected a sqlite3 connection from write_database, got {type(con).__name__}.")
    return con


def query(con: sqlite3.Connection, sql: str, params: tuple | dict | None = None) -> pd.DataFrame:
    """Run one SQL query and return the result as a data frame (``pd.read_sql_query``).

    Examples
    --------
    >>> con = sqlite3.connect(":memory:")
    >>> query(con, "SELECT 1 + 1 AS two")
       two
    0    2
    """
    _require_con(con, "query")
    if not isinstance(sql, str) or not sql.strip():
        raise CRMInputError("query: sql must be a non-empty SQL string, e.g. 'SELECT * FROM exhibitors'.")
    return pd.read_sql_query(sql, con, params=params)


def _tables(con: sqlite3.Connection) -> list[str]:
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    order = [t for t in DDL if t in names]
    return order + [t for t in names if t not in order]


def schema(con: sqlite3.Connection) -> pd.DataFrame:
    """Tabulate the database's tables, columns, keys and references from SQLite's own catalog.

    Returns
    -------
    DataFrame
        One row per column: ``module``, ``table``, ``column``, ``type``, ``primary_key`` (position in the
        key, 0 = not part of it), ``not_null``, ``references`` (``table.column`` or "").

    Examples
    --------
    >>> con = sqlite3.connect(":memory:")
    >>> _ = con.execute(DDL["editions"])
    >>> schema(con)[["table", "column", "primary_key"]].head(2)
          table   column  primary_key
    0  editions  edition            1
    1  editions     year            0
    """
    _require_con(con, "schema")
    rows = []
    for t in _tables(con):
        fks: dict[str, str] = {}
        for fk in con.execute(f"PRAGMA foreign_key_list({t})"):
            ref = f"{fk[2]}.{fk[4]}"
            fks[fk[3]] = f"{fks[fk[3]]}; {ref}" if fk[3] in fks else ref
        for cid, name, typ, notnull, _default, pk in con.execute(f"PRAGMA table_info({t})"):
            rows.append((MODULES.get(t, ""), t, name, typ, int(pk), bool(notnull or pk), fks.get(name, "")))
    return pd.DataFrame(rows, columns=["module", "table", "column", "type", "primary_key", "not_null",
                                       "references"])


def schema_summary(con: sqlite3.Connection) -> pd.DataFrame:
    """One row per table: its CRM module, columns, primary key and foreign-key references (from the catalog).

    Examples
    --------
    >>> con = sqlite3.connect(":memory:")
    >>> for t in ("editions", "staff", "suppliers", "partners", "exhibitors"):
    ...     _ = con.execute(DDL[t])
    >>> schema_summary(con).loc["exhibitors", "primary_key"]
    'exhibitor_id'
    """
    s = schema(con)
    rows = []
    for t, g in s.groupby("table", sort=False):
        pk = g[g["primary_key"] > 0].sort_values("primary_key")["column"]
        refs = [f"{c} -> {r}" for c, r in zip(g["column"], g["references"]) if r]
        rows.append((t, MODULES.get(t, ""), ", ".join(g["column"]), ", ".join(pk), "; ".join(refs)))
    return pd.DataFrame(rows, columns=["table", "module", "columns", "primary_key", "references"]).set_index("table")


def check_database(con: sqlite3.Connection) -> pd.DataFrame:
    """Count rows, check that primary keys are unique and find orphan foreign keys, table by table.

    Returns
    -------
    DataFrame
        One row per table: ``rows``, ``primary_key`` (the key's columns), ``duplicate_keys`` (rows sharing
        a key value), ``orphan_rows`` (rows whose foreign key points at no parent row, from
        ``PRAGMA foreign_key_check``).

    Examples
    --------
    >>> from crm_lessons.exhibition import simulate_fair
    >>> con = write_database(simulate_fair(2, seed=0, n_exhibitors=30, n_visitors=100)[0])
    >>> int(check_database(con)[["duplicate_keys", "orphan_rows"]].to_numpy().sum())
    0
    """
    _require_con(con, "check_database")
    orphans: dict[str, int] = {}
    for row in con.execute("PRAGMA foreign_key_check"):
        orphans[row[0]] = orphans.get(row[0], 0) + 1
    out = []
    for t in _tables(con):
        info = list(con.execute(f"PRAGMA table_info({t})"))
        pk = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5] > 0]
        n = con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        dup = 0
        if pk:
            cols = ", ".join(pk)
            dup = con.execute(f"SELECT COALESCE(SUM(c), 0) FROM (SELECT COUNT(*) AS c FROM {t} "
                              f"GROUP BY {cols} HAVING COUNT(*) > 1)").fetchone()[0]
        out.append((MODULES.get(t, ""), t, n, ", ".join(pk), int(dup), orphans.get(t, 0)))
    return pd.DataFrame(out, columns=["module", "table", "rows", "primary_key", "duplicate_keys", "orphan_rows"])


def database_digest(con: sqlite3.Connection) -> str:
    """SHA-256 of every table's rows in key order: the same seed gives the same digest.

    Examples
    --------
    >>> from crm_lessons.exhibition import simulate_fair
    >>> a = write_database(simulate_fair(2, seed=3, n_exhibitors=20, n_visitors=50)[0])
    >>> b = write_database(simulate_fair(2, seed=3, n_exhibitors=20, n_visitors=50)[0])
    >>> database_digest(a) == database_digest(b)
    True
    """
    _require_con(con, "database_digest")
    h = hashlib.sha256()
    for t in sorted(_tables(con)):
        info = list(con.execute(f"PRAGMA table_info({t})"))
        order = ", ".join(r[1] for r in info)
        h.update(t.encode())
        for row in con.execute(f"SELECT * FROM {t} ORDER BY {order}"):
            h.update(repr(row).encode())
    return h.hexdigest()


def read_tables(con: sqlite3.Connection) -> dict[str, pd.DataFrame]:
    """Read every table back into data frames (``SELECT * FROM <table>``)."""
    _require_con(con, "read_tables")
    return {t: pd.read_sql_query(f"SELECT * FROM {t}", con) for t in _tables(con)}
