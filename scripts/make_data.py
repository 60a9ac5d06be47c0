"""Rebuild data/, the files the lessons read: a SQLite shop database and a text corpus.

    python scripts/make_data.py            # writes data/shop.sqlite and data/corpus/*.txt

The output is deterministic: the same Python and SQLite versions give byte-identical files
on every run (fixed random seeds, rows inserted in a fixed order, the database vacuumed).
The corpus is the reference documentation that ships with Python (``pydoc_data.topics``,
the text ``help("async")`` shows), so another Python version gives slightly different text.
"""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path
from pydoc_data import topics

DATA = Path(__file__).resolve().parent.parent / "data"
DATABASE = DATA / "shop.sqlite"
CORPUS = DATA / "corpus"

N_ITEMS = 500
N_ORDERS = 40_000
SEED = 2026

CATEGORIES = ("books", "cables", "coffee", "garden", "games", "kitchen", "music", "tools")
ADJECTIVES = ("blue", "compact", "deluxe", "eco", "heavy", "mini", "pro", "quiet", "rapid", "smart")
NOUNS = ("adapter", "bottle", "brush", "clamp", "drill", "grinder", "kettle", "lamp", "mug",
         "novel", "puzzle", "record", "router", "spade", "speaker", "teapot")

SCHEMA = """
CREATE TABLE items (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents > 0),
    stock       INTEGER NOT NULL CHECK (stock >= 0)
);
CREATE TABLE orders (
    id       INTEGER PRIMARY KEY,
    item_id  INTEGER NOT NULL REFERENCES items(id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    day      TEXT    NOT NULL  -- YYYY-MM-DD, all in 2026
);
CREATE TABLE documents (
    id    INTEGER PRIMARY KEY,
    topic TEXT    NOT NULL UNIQUE,  -- a pydoc topic, e.g. 'async'; also data/corpus/<topic>.txt
    words INTEGER NOT NULL,
    body  TEXT    NOT NULL
);
"""


def corpus() -> list[tuple[str, str]]:
    """(topic, text) for every pydoc topic, sorted by topic, with Unix line ends."""
    return [(name, topics.topics[name].replace("\r\n", "\n").rstrip() + "\n")
            for name in sorted(topics.topics)]


def build_database(path: Path, docs: list[tuple[str, str]]) -> None:
    rng = random.Random(SEED)
    items = []
    for item_id in range(1, N_ITEMS + 1):
        name = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {item_id}"
        items.append((item_id, name, rng.choice(CATEGORIES), rng.randrange(199, 20_000),
                      rng.randrange(0, 200)))
    # Some items sell far more than others (a Pareto-like popularity), as in a real shop.
    weights = [1 / (rank ** 0.8) for rank in range(1, N_ITEMS + 1)]
    popular = list(range(1, N_ITEMS + 1))
    rng.shuffle(popular)
    orders = []
    for order_id in range(1, N_ORDERS + 1):
        item_id = rng.choices(popular, weights)[0]
        month, day = rng.randrange(1, 13), rng.randrange(1, 29)
        orders.append((order_id, item_id, rng.choice((1, 1, 1, 2, 2, 3, 5)),
                       f"2026-{month:02d}-{day:02d}"))
    word = re.compile(r"\w+")
    documents = [(doc_id, topic, len(word.findall(text)), text)
                 for doc_id, (topic, text) in enumerate(docs, start=1)]

    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA page_size = 4096")
        db.executescript(SCHEMA)
        with db:  # one transaction
            db.executemany("INSERT INTO items VALUES (?, ?, ?, ?, ?)", items)
            db.executemany("INSERT INTO orders VALUES (?, ?, ?, ?)", orders)
            db.executemany("INSERT INTO documents VALUES (?, ?, ?, ?)", documents)
        db.execute("CREATE INDEX orders_by_item ON orders(item_id)")
        db.execute("PRAGMA user_version = 1")
        db.commit()
        db.execute("VACUUM")
    finally:
        db.close()


def main() -> None:
    docs = corpus()
    DATA.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DATA) as scratch:
        fresh = Path(scratch) / "shop.sqlite"
        build_database(fresh, docs)
        shutil.move(fresh, DATABASE)  # replaced in one step: no half-written database
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    CORPUS.mkdir()
    for topic, text in docs:
        (CORPUS / f"{topic}.txt").write_text(text, encoding="utf-8", newline="\n")
    size = DATABASE.stat().st_size + sum(p.stat().st_size for p in CORPUS.iterdir())
    print(f"{DATABASE.relative_to(DATA.parent)}: {N_ITEMS} items, {N_ORDERS} orders, "
          f"{len(docs)} documents; {CORPUS.relative_to(DATA.parent)}/: {len(docs)} files; "
          f"{size / 1e6:.1f} MB in all (Python {sys.version.split()[0]}, "
          f"SQLite {sqlite3.sqlite_version})")


if __name__ == "__main__":
    main()
