"""A store that reads its SQLite database through a link (a release's `live`, bot/publish) reads the
new database from the query after the link moved, though it keeps its connections open."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from bot.catalogue.schema import Service
from bot.catalogue.store import create_store
from bot.catalogue.tokens import bigram_tokenize

NEW_PLACE = "市中区政务服务中心三楼（示例）"


def built(path: Path, services: list[Service]) -> None:
    store = create_store(f"sqlite:///{path}", tokenize=bigram_tokenize)
    store.replace_all(services)
    store.close()


def test_a_moved_link_is_read_from_the_next_query(tmp_path: Path, services: list[Service]) -> None:
    first, moved = services[0], dataclasses.replace(services[0], place=NEW_PLACE)
    built(tmp_path / "old.db", services)
    built(tmp_path / "new.db", [moved, *services[1:]])
    link = tmp_path / "live.db"
    link.symlink_to(tmp_path / "old.db")
    store = create_store(f"sqlite:///{link}", tokenize=bigram_tokenize)
    try:
        assert store.get(first.code).place == first.place != NEW_PLACE
        assert store.search(first.name)[0].service.place == first.place
        swapped = tmp_path / "live.next"
        swapped.symlink_to(tmp_path / "new.db")
        os.replace(swapped, link)  # as Releases.go_live moves `live`: one rename
        assert store.get(first.code).place == NEW_PLACE
        assert store.search(first.name)[0].service.place == NEW_PLACE
    finally:
        store.close()
