"""Tests for portal.text — the only module allowed to turn user text into Markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from portal.text import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_PROTOCOLS,
    ALLOWED_TAGS,
    LINK_REL,
    excerpt,
    render_markdown,
    render_plain,
)

REL = "nofollow ugc noopener"
SCHEME_RE = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")


class _Collector(HTMLParser):
    """Records every start tag with its (already entity-decoded) attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def parse(markup: str) -> _Collector:
    collector = _Collector()
    collector.feed(str(markup))
    collector.close()
    return collector


def links(markup: str) -> list[dict[str, str | None]]:
    return [attrs for tag, attrs in parse(markup).tags if tag == "a"]


def assert_structurally_safe(markup: str) -> None:
    """Every tag/attribute allowlisted; every href scheme allowed (or relative)."""
    parsed = parse(markup)
    assert parsed.comments == []
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, f"disallowed tag <{tag}> in {markup!r}"
        allowed = set(ALLOWED_ATTRIBUTES.get(tag, [])) | ({"rel"} if tag == "a" else set())
        for name, value in attrs.items():
            assert name in allowed, f"disallowed attribute {name} on <{tag}>"
            assert not name.startswith(("on", "data-", "hx-")), name
        if tag == "a":
            assert attrs.get("rel") == REL
            assert "target" not in attrs
            href = attrs.get("href")
            if href is not None:
                # Strip control chars/whitespace the way browsers do before
                # looking for a scheme.
                cleaned = re.sub(r"[\x00-\x20]", "", href)
                match = SCHEME_RE.match(cleaned)
                if match:
                    assert match.group(1).lower() in ALLOWED_PROTOCOLS, href


# --- Basics ---------------------------------------------------------------


def test_link_rel_constant() -> None:
    assert LINK_REL == REL


def test_returns_markup() -> None:
    assert isinstance(render_markdown("hi"), Markup)
    assert isinstance(render_plain("hi"), Markup)
    assert isinstance(excerpt("hi"), str) and not isinstance(excerpt("hi"), Markup)


@pytest.mark.parametrize("func", [render_markdown, render_plain])
@pytest.mark.parametrize("value", [None, ""])
def test_none_and_empty(func, value) -> None:
    assert func(value) == Markup("")


def test_excerpt_none() -> None:
    assert excerpt(None) == ""
    assert excerpt("") == ""


def test_emphasis_and_strong() -> None:
    out = render_markdown("*soft* and **loud**")
    assert "<em>soft</em>" in out
    assert "<strong>loud</strong>" in out


def test_lists() -> None:
    out = render_markdown("- one\n- two\n\n1. first\n2. second")
    assert "<ul>" in out and "<ol>" in out
    assert out.count("<li>") == 4


def test_blockquote_code_pre_hr() -> None:
    out = render_markdown("> quoted\n\n`inline`\n\n```\nblock <b>\n```\n\n---")
    assert "<blockquote>" in out
    assert "<code>inline</code>" in out
    assert "<pre><code>block &lt;b&gt;\n</code></pre>" in out
    assert "<hr>" in out
    assert_structurally_safe(out)


def test_markdown_link_has_rel() -> None:
    out = render_markdown('[Cortile](https://example.org/ "Home")')
    [attrs] = links(out)
    assert attrs == {"href": "https://example.org/", "title": "Home", "rel": REL}


def test_single_newline_is_br() -> None:
    out = render_markdown("line one\nline two")
    assert "line one<br>" in out
    assert out.count("<p>") == 1


@pytest.mark.parametrize("source", ["# Big", "## Less big", "Big\n===", "Less\n---"])
def test_h1_h2_downgraded_to_h3(source: str) -> None:
    out = render_markdown(source)
    assert "<h3>" in out
    assert "<h1" not in out and "<h2" not in out


def test_h3_to_h6_kept() -> None:
    out = render_markdown("### a\n\n#### b\n\n##### c\n\n###### d")
    for level in (3, 4, 5, 6):
        assert f"<h{level}>" in out


def test_bare_url_linkified() -> None:
    out = render_markdown("see https://example.org/page for details")
    [attrs] = links(out)
    assert attrs["href"] == "https://example.org/page"
    assert attrs["rel"] == REL
    assert ">https://example.org/page</a>" in out


def test_url_in_code_not_linkified() -> None:
    assert links(render_markdown("`https://example.org/`")) == []
    assert links(render_markdown("```\nhttps://example.org/\n```")) == []


def test_email_like_text_is_harmless() -> None:
    out = render_markdown("write to someone@example.org please")
    assert "someone@example.org" in out
    assert_structurally_safe(out)
    for attrs in links(out):
        assert attrs["href"].startswith(("mailto:", "http://", "https://"))


def test_mailto_autolink_gets_rel() -> None:
    out = render_markdown("<someone@example.org>")
    [attrs] = links(out)
    assert attrs["href"] == "mailto:someone@example.org"
    assert attrs["rel"] == REL


def test_data_scheme_never_linkified() -> None:
    # bleach's default URL regex knows data:, ours must not.
    out = render_markdown("data:example.com/x and data:text/html,foo.com")
    assert_structurally_safe(out)
    for attrs in links(out):
        assert not (attrs["href"] or "").lower().startswith("data:")


# --- XSS payloads -----------------------------------------------------------

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://evil/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;vascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "[x]: javascript:alert(1)\n\n[x]",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="https://evil.example/"></iframe>',
    "<style>body{display:none}</style>",
    '<a href="x" onclick="alert(1)">click</a>',
    '<a href="javascript:alert(1)">click</a>',
    '<div hx-get="/admin/delete" hx-trigger="load">x</div>',
    '<button hx-post="/logout">x</button>',
    '<div hx-on:click="alert(1)">x</div>',
    '<div data-hx-get="/admin" data-hx-trigger="load">x</div>',
    '<p style="position:fixed;top:0">overlay</p>',
    '<form action="https://evil.example/"><input name=p></form>',
    "<input autofocus onfocus=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<!--><script>alert(1)</script>-->",
    "<!-- --!><img src=x onerror=alert(1)> -->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "![x](http://evil/x.png)",
    "![x](javascript:alert(1))",
    '![x](http://evil/x.png "onerror=alert(1)")',
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    '<a href="https://ok.example/">[x](javascript:alert(1))</a>',
    "<div>\n\n[x](javascript:alert(1))\n\n</div>",
    "[<img src=x onerror=alert(1)>](https://ok.example/)",
    '[x](https://ok.example/ "\\" onmouseover=\\"alert(1)")',
    "[x](https://ok.example/\" onmouseover=\"alert(1))",
    "[x](\u200bjavascript:alert(1))",
    "[x](javascript\u0000:alert(1))",
    "[x](\uff4aavascript:alert(1))",
    "＜script＞alert(1)＜/script＞",
    "\u202e<script>alert(1)</script>",
    "<scr<script>ipt>alert(1)</script>",
    "<a href='https://ok.example/' target=_blank>x</a>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "https://ok.example/\"><script>alert(1)</script>",
    "http://ok.example/?q=<img src=x onerror=alert(1)>",
    "<" * 5000 + "script>alert(1)" + "[x](javascript:alert(1))" * 500,
    "**" * 3000 + "<img src=x onerror=alert(1)>",
    "> " * 200 + "<svg onload=alert(1)>",
]

_BAD_ATTRS = ("onerror", "onload", "onclick", "onfocus", "onmouseover", "style")


@pytest.mark.parametrize("payload", XSS_PAYLOADS, ids=range(len(XSS_PAYLOADS)))
def test_xss_payload_neutralised(payload: str) -> None:
    out = render_markdown(payload)
    text = str(out)
    assert "<script" not in text.lower()
    assert "<img" not in text.lower()
    assert "<iframe" not in text.lower()
    assert "<svg" not in text.lower()
    # Escaped text may legitimately read "style=", a tag attribute may not.
    assert not re.search(r"<[^>]*\bstyle\s*=", text, re.IGNORECASE)

    parsed = parse(text)
    for tag, attrs in parsed.tags:
        assert tag not in {"script", "img", "iframe", "svg", "math", "style", "form", "input"}
        for name in attrs:
            assert name not in _BAD_ATTRS
            assert not name.startswith(("on", "hx-", "data-"))
        href = (attrs.get("href") or "").lower()
        compact = re.sub(r"[\x00-\x20\u200b]", "", href)
        for scheme in ("javascript:", "vbscript:", "data:"):
            assert scheme not in compact
    assert_structurally_safe(text)


def test_raw_html_is_escaped_not_dropped() -> None:
    out = render_markdown("<b>bold?</b>")
    assert "&lt;b&gt;bold?&lt;/b&gt;" in out
    assert "<b>" not in out


def test_target_removed_and_rel_forced() -> None:
    out = render_markdown('[x](https://example.org/){target="_blank"}')
    for attrs in links(out):
        assert "target" not in attrs
        assert attrs["rel"] == REL


# --- Property test ------------------------------------------------------------

# Markdown/HTML-shaped fragments: st.text() alone rarely builds a link.
_markdownish = st.lists(
    st.sampled_from(
        list("abc <>/\"'=:()[]!#*_`-\n&;")
        + ["javascript:", "http://x.org", "https://", "onerror=", "mailto:", "data:", "<a href=", "<img "]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), _markdownish))
def test_property_output_is_allowlisted(source: str) -> None:
    assert_structurally_safe(render_markdown(source))


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_property_render_plain_has_only_br(source: str) -> None:
    out = render_plain(source)
    assert {tag for tag, _ in parse(out).tags} <= {"br"}


# --- render_plain ---------------------------------------------------------------


def test_render_plain_escapes_and_breaks() -> None:
    out = render_plain('a <b>"x"</b>\r\nsecond\nthird')
    assert out == Markup("a &lt;b&gt;&#34;x&#34;&lt;/b&gt;<br>\nsecond<br>\nthird")


def test_render_plain_does_not_render_markdown() -> None:
    assert render_plain("*not emphasis*") == Markup("*not emphasis*")


# --- excerpt ------------------------------------------------------------------------


def test_excerpt_short_text_unchanged_and_stripped() -> None:
    assert excerpt("Hello **world**, see [site](https://example.org)") == "Hello world, see site"


def test_excerpt_strips_tags_and_unescapes() -> None:
    out = excerpt("# Title\n\n<script>alert(1)</script> & more")
    assert out == "Title <script>alert(1)</script> & more"  # plain text: Jinja escapes it


def test_excerpt_cuts_on_word_boundary() -> None:
    source = "alpha beta gamma delta epsilon"
    out = excerpt(source, length=15)
    assert out == "alpha beta…"
    assert len(out) <= 15


def test_excerpt_cut_exactly_at_space() -> None:
    assert excerpt("alpha beta gamma", length=7) == "alpha…"


def test_excerpt_single_long_word() -> None:
    out = excerpt("x" * 50, length=10)
    assert out == "x" * 9 + "…"


def test_excerpt_default_length() -> None:
    out = excerpt("word " * 100)
    assert out.endswith("…")
    assert len(out) <= 160
    assert "  " not in out


@settings(max_examples=100, deadline=None)
@given(st.text(), st.integers(min_value=1, max_value=200))
def test_property_excerpt_length(source: str, length: int) -> None:
    out = excerpt(source, length)
    assert len(out) <= length
