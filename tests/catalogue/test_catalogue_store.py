"""The store, run against SQLite and PostgreSQL alike: reads, atomic replace, search ranking."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot import paths
from bot.catalogue.schema import Service
from bot.catalogue.store import CatalogueStore, CatalogueUnavailable, create_store
from bot.catalogue.tables import metadata
from bot.catalogue.tokens import bigram_tokenize
from tests.names import NAME
from tools.tcp_proxy import TcpProxy


def test_get_all_and_order(store: CatalogueStore, services: list[Service]) -> None:
    assert store.all() == services
    assert store.get("SZ-SA-01") == next(s for s in services if s.code == "SZ-SA-01")
    assert store.get("NOPE") is None


def test_by_channel(store: CatalogueStore, services: list[Service]) -> None:
    for channel in ("一窗办", "一证通办", "全程网办", "就近办", "网上办"):
        expected = [s for s in services if channel in s.channels]
        assert store.by_channel(channel) == expected and expected
    with pytest.raises(ValueError):
        store.by_channel("窗口办")


def test_replace_all_replaces(store: CatalogueStore, services: list[Service]) -> None:
    store.replace_all(services[:3])
    assert [s.code for s in store.all()] == [s.code for s in services[:3]]
    assert store.get(services[5].code) is None
    assert store.search(services[5].name) == [] or \
        store.search(services[5].name)[0].service.code != services[5].code


def _add_failing_trigger(url: str) -> None:
    """A real database failure in the middle of a replace: inserting channel 'BOOM' aborts."""
    engine = sa.create_engine(url, future=True)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(sa.text(
                "CREATE TRIGGER boom BEFORE INSERT ON catalogue_channels "
                "WHEN NEW.code = 'BOOM' BEGIN SELECT RAISE(ABORT, 'boom'); END"))
        else:
            connection.execute(sa.text(
                "CREATE OR REPLACE FUNCTION boom() RETURNS trigger AS $$ BEGIN "
                "IF NEW.code = 'BOOM' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END "
                "$$ LANGUAGE plpgsql"))
            connection.execute(sa.text(
                "CREATE TRIGGER boom BEFORE INSERT ON catalogue_channels "
                "FOR EACH ROW EXECUTE FUNCTION boom()"))
    engine.dispose()


def _drop_failing_trigger(url: str) -> None:
    engine = sa.create_engine(url, future=True)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(sa.text("DROP TRIGGER IF EXISTS boom"))
        else:
            connection.execute(sa.text("DROP TRIGGER IF EXISTS boom ON catalogue_channels"))
    engine.dispose()


def test_a_failed_replace_leaves_the_old_catalogue(store: CatalogueStore, store_url: str,
                                                    services: list[Service]) -> None:
    _add_failing_trigger(store_url)
    try:
        broken = dataclasses.replace(services[0], code="BOOM", name="新事项", aliases=())
        with pytest.raises(CatalogueUnavailable) as error:
            store.replace_all([*services[1:4], broken])
        assert isinstance(error.value.__cause__, sa.exc.SQLAlchemyError)
        assert store.all() == services
    finally:
        _drop_failing_trigger(store_url)


def test_replace_refuses_duplicate_codes(store: CatalogueStore, services: list[Service]) -> None:
    with pytest.raises(ValueError):
        store.replace_all([services[0], services[0]])
    assert store.all() == services


def _drop_all_tables(url: str) -> None:
    engine = sa.create_engine(url, future=True)
    with engine.begin() as connection:  # the PostgreSQL database is shared by the session
        for table in (*(t.name for t in reversed(metadata.sorted_tables)), "catalogue_terms"):
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
    engine.dispose()


def test_an_unbuilt_database_is_unavailable(empty_store: CatalogueStore, store_url: str) -> None:
    _drop_all_tables(store_url)
    with pytest.raises(CatalogueUnavailable, match="bot.catalogue build"):
        empty_store.get("SZ-SA-01")
    with pytest.raises(CatalogueUnavailable, match="bot.catalogue build"):
        empty_store.search("临时救助")


def test_a_database_of_the_former_layout_is_rebuilt(empty_store: CatalogueStore, store_url: str,
                                                     services: list[Service]) -> None:
    """A database built before the search index (one table of words, names without their first
    characters) says it needs a build, and a build replaces its tables."""
    _drop_all_tables(store_url)
    engine = sa.create_engine(store_url, future=True)
    with engine.begin() as connection:
        for statement in (
            "CREATE TABLE catalogue_meta (key VARCHAR(32) PRIMARY KEY, value TEXT NOT NULL)",
            "INSERT INTO catalogue_meta VALUES ('tokenizer', 'bigram')",
            "CREATE TABLE catalogue_names (code VARCHAR(64), text TEXT, kind VARCHAR(8), "
            "PRIMARY KEY (code, text))",
            "INSERT INTO catalogue_names VALUES ('SZ-SA-01', '临时救助', 'name')",
            "CREATE TABLE catalogue_terms (term VARCHAR(100), code VARCHAR(64), field VARCHAR(8), "
            "share FLOAT, PRIMARY KEY (term, code, field))",
        ):
            connection.execute(sa.text(statement))
    with pytest.raises(CatalogueUnavailable, match="earlier version.*bot.catalogue build"):
        empty_store.search("临时救助")
    empty_store.replace_all(services)
    assert empty_store.search("临时救助")[0].service.name == "临时救助"
    assert not sa.inspect(engine).has_table("catalogue_terms")
    engine.dispose()


def test_an_unreachable_server_is_unavailable() -> None:
    store = create_store("postgresql://postgres@127.0.0.1:1/none", tokenize=bigram_tokenize)
    with pytest.raises(CatalogueUnavailable) as error:
        store.search("临时救助")
    assert isinstance(error.value.__cause__, sa.exc.OperationalError)
    assert "127.0.0.1:1" in str(error.value)


def test_creating_a_store_touches_no_database(tmp_path: Path) -> None:
    create_store(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")
    assert not (tmp_path / "sub").exists()
    with pytest.raises(ValueError, match="unsupported"):
        create_store("mysql://localhost/x")


def test_default_url(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.catalogue.store import default_url

    monkeypatch.delenv("CATALOGUE_DATABASE_URL", raising=False)
    assert default_url() == f"sqlite:///{paths.BUILD / 'catalogue.db'}"
    monkeypatch.setenv("CATALOGUE_DATABASE_URL", "postgresql://u@h/db")
    assert default_url() == "postgresql://u@h/db"


@pytest.mark.parametrize(("query", "expected"), [
    ("人才落户要带哪些材料", "人才落户"),
    ("临时救助在哪申请", "临时救助"),
    ("孩子上幼儿园", NAME["SZ-EDU-03"]),
    ("人才落户", "人才落户"),
    ("违建举报", NAME["SZ-URB-01"]),
    ("低保怎么办", "最低生活保障"),
    ("家里没人上班咋办", NAME["SZ-EMP-01"]),
    ("退伍了怎么安置", "退役士兵安置"),
    ("军转干部安置政策", NAME["SZ-VET-02"]),
    ("我要注册一家公司", "企业开办"),
    ("老旧小区改造啥时候轮到我们", NAME["SZ-URB-02"]),
    ("想举报邻居私搭乱建", NAME["SZ-URB-01"]),
    ("图书馆怎么办证", "图书馆读者证办理"),
    ("结婚证怎么领", "结婚登记"),
    ("请问人才公寓如何申请", NAME["SZ-TAL-03"]),
    ("人才看病有没有绿色通道", "人才就医绿色通道"),
    ("高龄补贴", "高龄津贴"),
    ("ＳＺ社保卡补办", "社会保障卡申领"),
    ("想开个小饭馆，卖吃的要办什么证", "食品经营许可"),  # the aliases residents use
])
def test_search_ranks_the_expected_service_first(store: CatalogueStore, query: str,
                                                  expected: str) -> None:
    hits = store.search(query)
    assert hits, query
    assert hits[0].service.name == expected, [(h.service.name, h.score) for h in hits]
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize(("query", "expected"), [
    ("想自己开一家公司从哪开始", "企业开办"),
    ("准备办一个营业执照带什么", NAME["SZ-ENT-02"]),
    ("家里要领一张社保卡", "社会保障卡申领"),
])
def test_a_count_of_one_inside_a_name_keeps_it_a_name(store: CatalogueStore, query: str, expected: str) -> None:
    """"开一家公司" holds the alias 开公司: it ranks as a name inside the query (50 and up)."""
    (hit, *_) = store.search(query)
    assert hit.service.name == expected and hit.score >= 50, hit


def test_exact_name_beats_alias_beats_overlap(store: CatalogueStore) -> None:
    (name_hit, *_) = store.search("临时救助")
    (alias_hit, *_) = store.search("急难救助")
    overlap = store.search("救助")
    assert name_hit.score >= 100 and 90 <= alias_hit.score < name_hit.score
    assert alias_hit.service.name == "临时救助"
    assert {h.service.name for h in overlap} >= {"临时救助", "医疗救助"}


def test_search_limits_and_nothing_found(store: CatalogueStore) -> None:
    assert len(store.search("补贴", limit=3)) == 3
    assert store.search("随便说点什么") == []
    assert store.search("   ") == []
    assert store.search("补贴", limit=0) == []


@pytest.mark.postgres
def test_search_over_a_dropped_connection_is_unavailable_then_recovers(
        pg_url: str, services: list[Service], loop_thread) -> None:
    """Search reads on the driver's cursor (reads.py): a connection the server drops mid-way is
    still reported as CatalogueUnavailable, and the pool's next connection answers again."""
    proxy = TcpProxy(loop_thread, "127.0.0.1", sa.engine.make_url(pg_url).port or 5432)
    proxy.start()
    url = sa.engine.make_url(pg_url).set(host="127.0.0.1", port=proxy.port)
    store = create_store(url.render_as_string(hide_password=False), tokenize=bigram_tokenize)
    try:
        store.replace_all(services)
        assert store.search("临时救助")[0].service.name == "临时救助"
        proxy.cut()
        with pytest.raises(CatalogueUnavailable):
            store.search("临时救助")
        proxy.restore()
        assert store.search("临时救助")[0].service.name == "临时救助"
    finally:
        store.close()
        proxy.cut()


def test_a_search_finds_what_another_process_rebuilt(store: CatalogueStore, store_url: str,
                                                      services: list[Service]) -> None:
    """The services a search found are kept per build: a build by another store (another
    process: `python -m bot.catalogue build`, a publish) is read at the next search."""
    assert store.search("临时救助")[0].service.department != "示例部门"
    changed = [dataclasses.replace(s, department="示例部门") if s.name == "临时救助" else s
               for s in services]
    other = create_store(store_url, tokenize=bigram_tokenize)
    try:
        other.replace_all(changed)
    finally:
        other.close()
    assert store.search("临时救助")[0].service.department == "示例部门"


@pytest.mark.postgres
def test_postgres_reads_a_search_in_prepared_statements(pg_url: str, services: list[Service],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL a search's first round is one prepared statement (pg_reads.py): none of
    the reads one by one (reads.py) is made but the services' data, and that once per build."""
    from bot.catalogue import reads

    made: list[str] = []
    plain = reads.Statements.rows
    monkeypatch.setattr(reads.Statements, "rows", lambda self, sql, params: made.append(sql) or
                        plain(self, sql, params))
    store = create_store(pg_url, tokenize=bigram_tokenize)
    try:
        store.replace_all(services)
        assert store.search("临时救助")[0].service.name == "临时救助"
        assert made == [reads.SERVICES]
        assert store.search("临时救助")[0].service.name == "临时救助"
        assert made == [reads.SERVICES]
    finally:
        store.close()
