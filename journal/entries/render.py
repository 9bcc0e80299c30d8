"""Markdown to HTML a browser can show safely: rendered, then cleaned to an allowlist."""

from __future__ import annotations

import re
import threading
from functools import partial

import bleach
import markdown
from bleach.linkifier import LinkifyFilter
from markupsafe import Markup

TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "del",
}
ATTRIBUTES = {"a": ["href", "title"]}
PROTOCOLS = {"http", "https", "mailto"}


def _safe_rel(attrs, new=False):
    href_key = (None, "href")
    if href_key in attrs:
        attrs[(None, "rel")] = "noopener nofollow"
    return attrs


class _Renderers(threading.local):
    """A Markdown parser and a cleaner per thread, built once: building them costs more than using them,
    and neither may be shared between threads (bleach's cleaners and Markdown's parsers keep state)."""

    def __init__(self) -> None:
        self.markdown = markdown.Markdown(extensions=["sane_lists", "nl2br"], output_format="html")
        self.cleaner = bleach.Cleaner(
            tags=TAGS,
            attributes=ATTRIBUTES,
            protocols=PROTOCOLS,
            strip=False,
            strip_comments=True,
            filters=[partial(LinkifyFilter, callbacks=[_safe_rel], skip_tags={"pre", "code"})],
        )


_RENDERERS = _Renderers()


def render_markdown(text: str) -> Markup:
    """Raw HTML a user typed is shown as text; links get rel="noopener nofollow"; scripts never run."""
    renderers = _RENDERERS
    html = renderers.markdown.reset().convert(text)  # reset: nothing of the last text carries over
    return Markup(renderers.cleaner.clean(html))


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*{1,3}|~~)(?=\S)(.+?)(?<=\S)\1|(?<!\w)(_{1,3})(?=\S)(.+?)(?<=\S)\3(?!\w)")
_CODE = re.compile(r"`+([^`]*)`+")
_LINE_MARK = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)", re.MULTILINE)


def plain_text(text: str) -> str:
    """The words of Markdown as a reader sees them, without its marks (for snippets of text, such as a search's):
    `**calm**` is "calm", `[the lake](https://…)` is "the lake", a heading's or list's marks are gone. Cheap: a few
    substitutions, no rendering."""
    text = _LINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = _LINE_MARK.sub("", text)
    for _ in range(3):  # nested emphasis: ***both*** or **_both_**
        text = _EMPHASIS.sub(lambda found: found.group(2) or found.group(4), text)
    return text
