"""The built spaCy pipeline keeps district terms whole, in and out of context."""

from __future__ import annotations

import pytest

from bot.nlp.pipeline import words

DISTRICT_TERMS = ["一窗办", "网上办", "就近办", "一证通办", "经纬人才", "二环南路", "十六里河",
                  "南部科创新城", "七一社区", "陡沟学校", "大唐网络", "口袋公园"]

SENTENCES = {
    "市中区深化一窗办、网上办、就近办": ["一窗办", "网上办", "就近办"],
    "哪些事情可以一证通办": ["一证通办"],
    "经纬人才计划讲的是啥": ["经纬人才"],
    "二环南路科技创新产业带都有哪些园区": ["二环南路"],
    "我住在十六里河那边，有什么项目": ["十六里河"],
    "陡沟学校什么时候改扩建": ["陡沟学校"],
    "七一社区的老旧小区改造": ["七一社区"],
}


@pytest.mark.parametrize("term", DISTRICT_TERMS)
def test_term_alone_is_one_token(spacy_zh, term: str) -> None:
    assert words(spacy_zh, term) == [term]


@pytest.mark.parametrize(("sentence", "terms"), SENTENCES.items())
def test_terms_stay_whole_in_sentences(spacy_zh, sentence: str, terms: list[str]) -> None:
    tokens = words(spacy_zh, sentence)
    assert "".join(tokens) == sentence
    for term in terms:
        # Whole means inside one token: a longer district name (二环南路科技创新产业带) may hold it.
        assert any(term in token for token in tokens), tokens


def test_dictionary_comes_from_the_data() -> None:
    """Every term a knowledge topic names reaches the user dictionary the pipeline was built with."""
    from bot import paths
    from bot.knowledge.model import load

    dictionary = set(paths.USER_DICT.read_text(encoding="utf-8").split())
    wanted = {t for t in load().terms() if 2 <= len(t) <= 12}
    assert wanted <= dictionary, sorted(wanted - dictionary)
