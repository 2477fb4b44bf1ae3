"""Rebuild the cleaned data sets in ``datasets/`` from the raw copies in ``../shared/data``.

Run from the repository root::

    python tools/build_datasets.py [RAW_DIR]

It writes one CSV per data set and ``datasets/MANIFEST.json`` (file, rows, SHA-256, description).
The cleaning is deliberately small and documented in each data card (``datasets/<name>.md``);
the row counts are checked against the published counts before anything is written.
Nobody needs to run this to use the workbook: the cleaned files are committed.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "datasets"

DESCRIPTIONS = {
    "cdnow_master": "Every CD purchase of the 23,570 customers who first bought at CDNOW in Q1 1997, to June 1998",
    "cdnow_sample": "The 1/10 systematic sample of CDNOW (2,357 customers) used by Fader, Hardie & Lee (2005)",
    "coil2000": "CoIL Challenge 2000 insurance customers: 86 socio-demographic and product variables, caravan policy target",
    "telco_churn_ibm": "IBM Telco customer churn sample: services, contract, charges, tenure and churn of 7,043 customers",
    "telco_churn_mlc": "MLC++ telecom churn data: usage, plans, service calls and churn of 5,000 (artificial) accounts",
    "bank_calls": "Calls handled per 5 minutes at a North American bank's call centre, weekdays March-October 2003",
    "yogurt_panel": "Scanner-panel yogurt purchases: chosen brand, prices and feature ads of 4 brands (100 households)",
    "cracker_panel": "Scanner-panel cracker purchases: chosen brand, prices, displays and features of 4 brands (136 households)",
    "coil2000_dictionary": "The CoIL 2000 variable dictionary: name, description, group and coding of each of the 86 variables",
    "bank_marketing": "Telemarketing calls of a Portuguese bank for term deposits, May 2008-Nov 2010: client, call, previous campaign, macro context, outcome y",
    "online_retail": "UCI Online Retail: every invoice line (cancellations start with C) of a UK online gift-ware seller, Dec 2010-Dec 2011, 4,372 customers in 38 countries",
}

# Data sets stored compressed (the others are plain .csv); gzip with mtime 0 so the bytes are reproducible.
FILES = {"bank_marketing": "bank_marketing.csv.gz", "online_retail": "online_retail.csv.gz"}

EXPECTED_ROWS = {
    "cdnow_master": 69_659,
    "cdnow_sample": 6_919,
    "coil2000": 9_822,
    "telco_churn_ibm": 7_043,
    "telco_churn_mlc": 5_000,
    "bank_calls": 27_716,
    "yogurt_panel": 2_412,
    "cracker_panel": 3_292,
    "coil2000_dictionary": 86,
    "bank_marketing": 41_188,  # Moro, Cortez & Rita (2014); bank-additional-full.csv
    "online_retail": 541_909,  # Chen, Sain & Guo (2012); UCI "Online Retail" (2010-2011 release)
}


def _yes_no(s: pd.Series) -> pd.Series:
    mapping = {"yes": True, "no": False}
    out = s.str.lower().map(mapping)
    if out.isna().any():
        raise ValueError(f"unexpected values in {s.name}: {sorted(s[out.isna()].unique())}")
    return out.astype(bool)


def _add_sequence(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df.insert(1, "purchase_seq", df.groupby("household_id").cumcount() + 1)
    return df


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def bank_marketing(raw: Path) -> pd.DataFrame:
    """UCI Bank Marketing (bank-additional-full.csv): dots in names become underscores, y becomes a bool,
    a call_id keeps the source's date order and the year is inferred from that order (see the data card)."""
    bm = pd.read_csv(raw / "bank_marketing_additional_full.csv", sep=";")
    bm.columns = [col.replace(".", "_") for col in bm.columns]
    bm["y"] = _yes_no(bm["y"])
    month_no = bm["month"].map({m: i for i, m in enumerate(_MONTHS, start=1)})
    # Rows are in date order (May 2008 to November 2010) but carry no year: a new year starts
    # wherever the month number falls.
    bm.insert(0, "year", 2008 + (month_no.diff() < 0).cumsum())
    bm.insert(0, "call_id", range(1, len(bm) + 1))
    return bm


def online_retail(raw: Path) -> pd.DataFrame:
    """UCI Online Retail: every line kept, values unchanged; columns renamed to snake_case (see the data card)."""
    o = pd.read_csv(raw / "online_retail_2010_2011.csv.gz", dtype={"InvoiceNo": str, "StockCode": str,
                                                                  "Description": str, "CustomerID": "Int64"})
    return o.rename(columns={"InvoiceNo": "invoice", "StockCode": "stock_code", "Description": "description",
                             "Quantity": "quantity", "InvoiceDate": "invoice_date", "UnitPrice": "unit_price",
                             "CustomerID": "customer_id", "Country": "country"})


def clean(raw: Path) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}

    m = pd.read_csv(raw / "cdnow_master.txt", sep=r"\s+", dtype={"customer_id": int, "date": str})
    m = m.rename(columns={"number_of_cds": "cds", "dollar_value": "dollars"})
    m["date"] = pd.to_datetime(m["date"], format="%Y%m%d").dt.strftime("%Y-%m-%d")
    out["cdnow_master"] = m[["customer_id", "date", "cds", "dollars"]]

    s = pd.read_csv(raw / "cdnow_sample.txt", sep=r"\s+", header=None,
                    names=["customer_id", "sample_id", "date", "cds", "dollars"], dtype={"date": str})
    s["date"] = pd.to_datetime(s["date"], format="%Y%m%d").dt.strftime("%Y-%m-%d")
    out["cdnow_sample"] = s

    c = pd.read_csv(raw / "coil2000_caravan.csv")
    c = c.rename(columns={"ORIGIN": "origin"})
    c.insert(0, "customer_id", range(1, len(c) + 1))
    out["coil2000"] = c

    t = pd.read_csv(raw / "telco_churn_ibm.csv")
    t.insert(0, "customer_id", range(1, len(t) + 1))
    t["churn"] = _yes_no(t["churn"])
    for col in ["female", "senior_citizen", "partner", "dependents", "phone_service", "paperless_billing"]:
        t[col] = t[col].astype(bool)
    out["telco_churn_ibm"] = t

    ml = pd.read_csv(raw / "telco_churn_mlc.csv")
    ml.insert(0, "customer_id", range(1, len(ml) + 1))
    for col in ["international_plan", "voice_mail_plan", "churn"]:
        ml[col] = _yes_no(ml[col])
    ml["area_code"] = ml["area_code"].str.replace("area_code_", "", regex=False)
    out["telco_churn_mlc"] = ml

    b = pd.read_csv(raw / "bank_calls_2003.csv")
    # The source stamps local clock times with a 'Z'; they are the bank's local times.
    b["datetime"] = pd.to_datetime(b["DateTime"].str.rstrip("Z")).dt.strftime("%Y-%m-%d %H:%M")
    out["bank_calls"] = b[["datetime"]].assign(calls=b["Calls"].astype(int))

    for name, file in [("yogurt_panel", "yogurt_panel.csv"), ("cracker_panel", "cracker_panel.csv")]:
        p = pd.read_csv(raw / file)
        p.columns = [col.replace(".", "_") for col in p.columns]
        p = p.rename(columns={"id": "household_id"})
        price_cols = [col for col in p.columns if col.startswith("price_")]
        p[price_cols] = p[price_cols].round(4)  # the source stores 98.000002 for 98 (float32 noise)
        out[name] = _add_sequence(p)

    # The dictionary is transcribed from the challenge's TicDataDescr.txt (tools/raw/).
    out["coil2000_dictionary"] = pd.read_csv(Path(__file__).resolve().parent / "raw" / "coil2000_dictionary.csv")
    out["bank_marketing"] = bank_marketing(raw)
    out["online_retail"] = online_retail(raw)
    return out


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main(argv: list[str]) -> int:
    raw = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "data"
    frames = clean(raw)
    manifest = {}
    for name, df in frames.items():
        if len(df) != EXPECTED_ROWS[name]:
            raise SystemExit(f"{name}: {len(df)} rows, expected {EXPECTED_ROWS[name]}")
        path = OUT / FILES.get(name, f"{name}.csv")
        gz = {"method": "gzip", "mtime": 0} if path.suffix == ".gz" else None
        df.to_csv(path, index=False, lineterminator="\n", compression=gz)
        manifest[name] = {
            "file": path.name,
            "rows": len(df),
            "columns": len(df.columns),
            "sha256": sha256(path),
            "description": DESCRIPTIONS[name],
            "card": f"{name}.md",
        }
        print(f"{name:16s} {len(df):7,d} rows  {manifest[name]['sha256'][:12]}")
        card = OUT / f"{name}.md"
        if card.exists():  # keep the card's SHA-256 line in step with the file
            text = card.read_text(encoding="utf-8")
            import re

            text = re.sub(r"\| SHA-256 \| `[^`]*` \|", f"| SHA-256 | `{manifest[name]['sha256']}` |", text)
            card.write_text(text, encoding="utf-8")
    (OUT / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
