"""sources/menus.yml: the areas' menus load, open only on a whole message naming them, and a broken
file is refused with every problem named."""

from __future__ import annotations

import copy

import pytest
import yaml

from bot.dialogue.menus import MENUS_FILE, MenusInvalid, load_menus, parse_menus


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(MENUS_FILE.read_text(encoding="utf-8"))


def test_the_greetings_areas_each_have_a_menu_of_questions() -> None:
    menus = load_menus()
    domain = yaml.safe_load((MENUS_FILE.parent.parent / "domain.yml").read_text(encoding="utf-8"))
    for button in domain["responses"]["utter_greet"][0]["buttons"]:
        menu = menus.named(button["payload"])
        assert menu is not None and menu.title == button["title"], button
        assert 3 <= len(menu.questions) <= 6 and all(q.ask and q.title for q in menu.questions)


def test_a_menu_opens_on_its_whole_name_only() -> None:
    menus = load_menus()
    assert menus.named("人才政策").id == "talent" and menus.named(" 民生工程？").id == "livelihood"
    assert menus.named("人才政策里落户有什么条件") is None and menus.named("人才") is None


def broken(raw: dict, change) -> dict:
    data = copy.deepcopy(raw)
    change(data)
    return data


@pytest.mark.parametrize(("change", "problem"), [
    (lambda d: d.pop("menus"), "needs `menus:`"),
    (lambda d: d["menus"]["talent"].update(questions=d["menus"]["talent"]["questions"][:2]),
     "menus.talent.questions: must be a list of 3 to 6"),
    (lambda d: d["menus"]["talent"]["questions"][0].pop("ask"), "menus.talent.questions[1].ask: must be a text"),
    (lambda d: d["menus"]["talent"].update(title="人才政策和人才服务保障一览表"), "longer than 12"),
    (lambda d: d["menus"]["livelihood"]["names"].append("人才政策"), "already opens menu talent"),
    (lambda d: d["menus"]["talent"].update(colour="red"), "unknown keys ['colour']"),
])
def test_a_broken_file_is_refused_naming_the_key(raw: dict, change, problem: str) -> None:
    with pytest.raises(MenusInvalid) as error:
        parse_menus(broken(raw, change))
    assert problem in str(error.value)
