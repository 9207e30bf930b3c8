"""The widget app over real HTTP: the page, our assets and the patched bundle, all from our origin."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest


def get(url: str, **headers: str):
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read()


def test_the_page_is_served_in_chinese_with_no_external_url(page_only):
    status, headers, body = get(page_only.url)
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<title>济南市市中区政务服务助手</title>" in page
    assert "欢迎使用济南市市中区政务服务助手" in page and "您可以直接输入问题" in page
    assert ('<h1 class="brand"><span class="district">济南市市中区</span>'
            '<span class="name">政务服务助手</span></h1>') in page
    assert "请输入您的问题" in page
    assert "大字模式" in page and "转人工 / 12345" in page
    urls = re.findall(r"https?://[^\s\"'<>]+", page)
    assert all(url.startswith("http://127.0.0.1:") for url in urls), urls
    assert "script-src 'self';" in headers["Content-Security-Policy"]


def test_the_bundle_and_assets_come_from_our_origin(page_only):
    status, headers, body = get(page_only.url + "vendor/rasa-webchat.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert len(body) > 500_000 and b"fonts.googleapis.com" not in body
    with pytest.raises(urllib.error.HTTPError) as unchanged:
        get(page_only.url + "vendor/rasa-webchat.js", **{"If-None-Match": headers["ETag"]})
    assert unchanged.value.code == 304
    for name in ("widget.js", "widget.css", "icon.svg"):
        assert get(page_only.url + "static/" + name)[0] == 200


@pytest.mark.parametrize("path", ["static/app.py", "static/..%2fapp.py", "static/index.html", "node_modules/"])
def test_nothing_else_is_served(page_only, path):
    with pytest.raises(urllib.error.HTTPError) as missing:
        get(page_only.url + path)
    assert missing.value.code == 404
