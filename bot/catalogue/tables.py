"""The catalogue's tables: the services as stored, and the search index built from them.

Each index table is read through one B-tree index, in the order search reads it (reads.py); why
not SQLite FTS5 or PostgreSQL's text search is said in index.py.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
services_table = sa.Table(
    "catalogue_services", metadata,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
)
channels_table = sa.Table(
    "catalogue_channels", metadata,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("channel", sa.String(8), primary_key=True),
)
meta_table = sa.Table(
    "catalogue_meta", metadata,
    sa.Column("key", sa.String(32), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

MAX_TERM = 100
# Bumped whenever these tables change shape or hold a new kind of row (3: example questions in
# catalogue_names; 4: the words of situations in catalogue_postings): a database built before is
# rebuilt from scratch.
INDEX_VERSION = "4"

names_table = sa.Table(
    "catalogue_names", metadata,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("text", sa.Text, primary_key=True),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("head", sa.String(8), nullable=False),  # the first two characters
    sa.Column("length", sa.Integer, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),  # the service's place in the catalogue
    sa.Index("ix_catalogue_names_head", "head", "length"),
)
grams_table = sa.Table(
    "catalogue_name_grams", metadata,
    sa.Column("gram", sa.String(8), primary_key=True),
    sa.Column("rank", sa.SmallInteger, primary_key=True),  # KIND_RANK: names before aliases
    sa.Column("length", sa.Integer, primary_key=True),  # shorter names score higher
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("text", sa.Text, primary_key=True),
    sa.Column("code", sa.String(64), nullable=False),
    sqlite_with_rowid=False,  # the key is the order search reads in: store the rows in it
)
gram_stats_table = sa.Table(
    "catalogue_gram_stats", metadata,
    sa.Column("gram", sa.String(8), primary_key=True),
    sa.Column("names", sa.Integer, nullable=False),
)
postings_table = sa.Table(
    "catalogue_postings", metadata,
    sa.Column("code", sa.String(64), primary_key=True),
    sa.Column("term", sa.String(MAX_TERM), primary_key=True),
    # The best of FIELD_WEIGHTS[field] * (1 + share) over the fields holding the term.
    sa.Column("weight", sa.Float, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Index("ix_catalogue_postings_impact", "term", sa.desc("weight"), "position", "code"),
)
term_stats_table = sa.Table(
    "catalogue_term_stats", metadata,
    sa.Column("term", sa.String(MAX_TERM), primary_key=True),
    sa.Column("services", sa.Integer, nullable=False),  # how many services hold it (for idf)
)
# The search index, emptied and refilled with the catalogue.
INDEX_TABLES = (names_table, grams_table, gram_stats_table, postings_table, term_stats_table)
# Tables of earlier versions, dropped when the index is rebuilt.
LEGACY_TABLES = ("catalogue_terms",)
