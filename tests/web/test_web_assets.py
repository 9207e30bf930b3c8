"""The rasa-webchat bundle as served (no Google Fonts, safe links) and the page's text and policy."""

from __future__ import annotations

import json
import re

import pytest

from bot.web import app as web_app
from bot.web import assets


@pytest.fixture(scope="module")
def bundle() -> str:
    if not assets.BUNDLE.is_file():
        pytest.fail("node_modules is not installed; the set-up runs bot.web.assets.ensure_node_modules()")
    return assets.patched_bundle().decode("utf-8")


def test_package_json_pins_rasa_webchat_exactly():
    package = json.loads((assets.paths.PROJECT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads(assets.PACKAGE_LOCK.read_text(encoding="utf-8"))
    assert package["dependencies"] == {"rasa-webchat": assets.WEBCHAT_VERSION}
    assert lock["packages"]["node_modules/rasa-webchat"]["version"] == assets.WEBCHAT_VERSION
    # axe-core: for the browser tests only, pinned exactly too.
    axe = package["devDependencies"]["axe-core"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", axe)
    assert lock["packages"]["node_modules/axe-core"] == {**lock["packages"]["node_modules/axe-core"],
                                                          "version": axe, "dev": True}


def test_the_bundle_loses_google_fonts_and_unsafe_links(bundle):
    assert "fonts.googleapis.com" not in bundle
    assert assets.UNSAFE_LINK_TRANSFORM not in bundle
    assert bundle.count(assets.SAFE_LINK_TRANSFORM) == 1


def test_the_bundle_gets_buttons_and_names_for_keyboards_and_screen_readers(bundle):
    for _what, theirs, ours in assets.ACCESSIBLE_PATCHES:
        assert theirs not in bundle or theirs in ours
        assert bundle.count(ours) == 1
    assert 'createElement("div",{key:t,className:"rw-reply",onClick' not in bundle


def test_a_bundle_without_the_code_to_make_accessible_is_refused(tmp_path):
    other = tmp_path / "index.js"
    # The two security patches' anchors are there; the quick replies' code is not.
    other.write_text(assets.GOOGLE_FONTS_IMPORT + assets.UNSAFE_LINK_TRANSFORM, encoding="utf-8")
    with pytest.raises(assets.BundleError, match="quick replies as buttons"):
        assets.patched_bundle(other)


def test_an_unknown_bundle_is_refused(tmp_path):
    other = tmp_path / "index.js"
    other.write_text("console.log('another version')", encoding="utf-8")
    with pytest.raises(assets.BundleError, match="not the rasa-webchat"):
        assets.patched_bundle(other)
    with pytest.raises(assets.BundleError, match="missing"):
        assets.patched_bundle(tmp_path / "none.js")


def test_the_page_is_chinese_and_refers_only_to_its_own_origin():
    page = web_app.render_page("http://127.0.0.1:5005")
    assert '<html lang="zh-CN">' in page
    assert "<title>济南市市中区政务服务助手</title>" in page
    assert "转人工 / 12345" in page and 'href="tel:12345"' in page
    assert re.findall(r'(?:src|href)="([^"]+)"', page) == [
        "/static/icon.svg", "/static/widget.css", "/vendor/rasa-webchat.js", "/static/widget.js", "tel:12345"]
    assert "<script>" not in page  # no inline script: the policy forbids it


def test_the_policy_allows_scripts_from_here_and_connections_to_rasa_only():
    policy = web_app.content_security_policy("http://127.0.0.1:5005")
    assert "script-src 'self';" in policy
    assert "connect-src 'self' http://127.0.0.1:5005 ws://127.0.0.1:5005;" in policy
    assert "unsafe-eval" not in policy and "*" not in policy
    with pytest.raises(ValueError):
        web_app.content_security_policy("javascript:alert(1)")
