"""The link-block walk counts a block's visible characters in Python, giving up past a limit; the count must be
libxml2's (`string-length(translate(normalize-space(.), ' ', ''))`) whenever it is under the limit."""

from __future__ import annotations

from lxml import etree

from monitor.extract.fast import _visible_chars, _visible_chars_upto

_PAGE = ("<html><body><div id=x>a b<!-- com ment --><?pi xx?>c\t\r\n<script>var x = 1;</script>&amp;&#160;\u00a0"
         "<p>q  r</p>tail<ul><li><a href=/a>One link</a></li><li>\u3000two\u2003</li></ul></div>after"
         "<section>" + "<span>word</span> " * 1000 + "</section></body></html>")


def _tree() -> etree._Element:
    parser = etree.HTMLParser(recover=True)
    parser.feed(_PAGE)
    return parser.close()


def test_python_count_is_libxml2s_for_every_element() -> None:
    for el in _tree().iter(etree.Element):
        assert _visible_chars_upto(el, 10**9) == _visible_chars(el), el.tag


def test_count_gives_up_past_the_limit() -> None:
    section = next(_tree().iter("section"))
    assert _visible_chars(section) == 4000
    assert 100 < _visible_chars_upto(section, 100) < 4000          # stopped early, and says "above the limit"
    assert _visible_chars_upto(section, 4000) == 4000
