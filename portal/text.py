"""User text rendering: the ONLY place in Cortile where user text becomes Markup.

Everything residents type goes through here before a template sees it.  Any
other ``Markup(...)`` / ``|safe`` on user data is a bug: keep the trust
boundary in one small, well-tested module.

Pipeline for Markdown: markdown-it (raw HTML escaped, never rendered) ->
bleach Cleaner with a strict allowlist -> bleach linkifier (bare URLs become
links; every link gets ``rel="nofollow ugc noopener"``).
"""

from __future__ import annotations

import html
import re
from functools import partial
from typing import Any

import bleach
from bleach.linkifier import TLDS, LinkifyFilter, build_url_re
from markdown_it import MarkdownIt
from markupsafe import Markup, escape
from sqlalchemy import event

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_PROTOCOLS",
    "ALLOWED_TAGS",
    "LINK_REL",
    "excerpt",
    "render_markdown",
    "render_plain",
    "SANITISER_VERSION",
    "keep_rendered",
    "rendered",
    "stored_html",
]

# Raise by one whenever the pipeline below changes what it lets through (tags, attributes, link rules,
# the Markdown preset): rows rendered by an older version are rendered again when shown, until
# `flask --app portal rerender-text` has stored them anew.
SANITISER_VERSION = 1

# Headings stop at h3: page structure (h1/h2) belongs to the templates, so
# user text can never compete with it.  No img: it would make third-party
# requests from residents' browsers.
ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p", "br", "hr",
        "em", "strong", "code", "pre", "blockquote",
        "ul", "ol", "li",
        "a",
        "h3", "h4", "h5", "h6",
    }
)
# Nothing else, anywhere: no style/class/id/on*/data-*/hx-* (htmx attributes
# would let user text trigger requests).
ALLOWED_ATTRIBUTES: dict[str, list[str]] = {"a": ["href", "title"]}
ALLOWED_PROTOCOLS: frozenset[str] = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

# Everything before the first "/", "?" or "#": if it holds a colon, it is (or
# looks like) a scheme.
_URL_HEAD_RE = re.compile(r"^[^/?#]*")

# --- Built once at import: render_markdown runs for every post/comment on
# every page view, and building parsers/cleaners per call is measurably slow.

# commonmark preset: no tables/strikethrough.  html=False escapes raw HTML in
# the source.  breaks=True: residents type on phones, a newline is a newline.
_md = MarkdownIt("commonmark", {"html": False, "breaks": True})
# Images disabled at parse time: `![alt](url)` degrades to "!" + a plain link.
_md.disable("image")


def _link_attrs(attrs: dict, new: bool = False) -> dict | None:
    """Linkifier callback, applied to existing AND linkified links."""
    href = attrs.get((None, "href"))
    if not href:
        # Cleaner dropped a disallowed href: unwrap the link, keep its text.
        return None
    head = _URL_HEAD_RE.match(href.strip()).group(0)  # always matches
    if ":" in head and head.split(":", 1)[0].lower() not in ALLOWED_PROTOCOLS:
        # Belt and braces after the Cleaner: also drops odd "relative" hrefs
        # such as "%E2%80%8Bjavascript:..." that merely look like a scheme.
        return None
    attrs[(None, "rel")] = LINK_REL
    attrs.pop((None, "target"), None)  # no target: avoids tabnabbing/new tabs
    return attrs


# bleach's default URL regex also matches data:, ftp:, ... ; only ever
# linkify http(s).
_URL_RE = build_url_re(tlds=TLDS, protocols=["http", "https"])

# One pass: sanitize first, then linkify the sanitized stream (bleach's
# documented LinkifyFilter pattern), so the linkifier never sees raw input.
_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[
        partial(
            LinkifyFilter,
            callbacks=[_link_attrs],
            skip_tags={"pre", "code"},
            parse_email=False,
            url_re=_URL_RE,
        )
    ],
)
# Strips every tag: used to turn rendered Markdown into plain text.
_text_only = bleach.Cleaner(tags=frozenset(), attributes={}, strip=True)


def _to_html(source: str) -> str:
    tokens = _md.parse(source)
    for token in tokens:
        # Downgrade h1/h2 (ATX and setext alike) to h3.
        if token.type in ("heading_open", "heading_close") and token.tag in ("h1", "h2"):
            token.tag = "h3"
    return _md.renderer.render(tokens, _md.options, {})


def render_markdown(source: str | None) -> Markup:
    """Render user Markdown to sanitized, linkified HTML."""
    if not source:
        return Markup("")
    return Markup(_cleaner.clean(_to_html(source)))  # nosec B704 # cleaned by bleach's allowlist just here


def rendered(source: str | None) -> str:
    """The cleaned HTML of user Markdown, as stored next to the text (``<field>_html``)."""
    return str(render_markdown(source))


def rerender(row: Any, fields: tuple[str, ...]) -> None:
    """Store `row`'s HTML anew with this sanitiser version (after the rules changed)."""
    for field in fields:
        setattr(row, f"{field}_html", rendered(getattr(row, field)))
    row.text_version = SANITISER_VERSION


def keep_rendered(model: type, *fields: str) -> None:
    """Store each field's cleaned HTML in ``<field>_html`` and SANITISER_VERSION in ``text_version``
    whenever the ORM sets one of `fields`, so every write path (services, seeds, fixtures) stores it
    and pages only read it.  All fields are rendered again together: one version covers the row."""
    def on_set(target: Any, value: str | None, _old: Any, initiator: Any) -> None:
        for field in fields:
            source = value if field == initiator.key else getattr(target, field, None)
            setattr(target, f"{field}_html", rendered(source))
        target.text_version = SANITISER_VERSION

    for field in fields:
        event.listen(getattr(model, field), "set", on_set)
    RENDERED.append((model, fields))


# Every (model, fields) that keeps its rendered HTML: filled as the models are imported, read by
# `flask --app portal rerender-text`, so portal knows no feature's tables.
RENDERED: list[tuple[type, tuple[str, ...]]] = []


def stored_html(row: Any, field: str) -> Markup:
    """What a page shows of `row.<field>`: the stored HTML if this sanitiser version stored it, else
    (a row from before a version bump, or written without the ORM) rendered now, still sanitised."""
    html_text = getattr(row, f"{field}_html", None)
    if html_text is not None and row.text_version == SANITISER_VERSION:
        return Markup(html_text)  # nosec B704 # stored by rendered(), bleach's allowlist, this version
    return render_markdown(getattr(row, field))


def render_plain(source: str | None) -> Markup:
    """Escape a short plain-text field, turning newlines into <br>."""
    if not source:
        return Markup("")
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    # escape() first, so the only markup in the result is our own <br>.
    return escape(text).replace("\n", Markup("<br>\n"))


def excerpt(source: str | None, length: int = 160) -> str:
    """Plain-text excerpt, cut on a word boundary, ending with "…" if cut.

    Returns a plain str: Jinja autoescaping handles it, so it is never Markup.
    """
    if not source or length <= 0:
        return ""
    # Render then strip all tags: crude but removes Markdown syntax reliably.
    stripped = _text_only.clean(_to_html(source))
    text = " ".join(html.unescape(stripped).split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]  # leave room for the ellipsis
    if not text[length - 1].isspace() and " " in cut:
        cut = cut.rsplit(" ", 1)[0]  # don't end mid-word
    return cut.rstrip(" ,;:.-") + "…"


def one_line(text: str) -> str:
    """`text` on one line: each line break (any of those str.splitlines knows) becomes a space. For
    what only has room for a line: a calendar's title, a name; and the check that such a field holds one."""
    return " ".join(text.splitlines())
