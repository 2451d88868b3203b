"""Commentary is Markdown written by officers: shown formatted, never as raw HTML.

markdown-it-py renders it with raw HTML switched off, and nh3 (ammonia) then keeps only the tags
and link schemes a commentary needs, so ``<script>``, ``javascript:`` links and event handlers
never reach a page or a PDF.

>>> str(commentary_html("**Up** 7 points <script>alert(1)</script> [x](javascript:alert(1))"))
'<p><strong>Up</strong> 7 points &lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1))</p>'
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

__all__ = ["commentary_html", "paragraph_html"]

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "a",
    "code",
    "blockquote",
    "h4",
    "h5",
    "h6",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


@cache
def _markdown() -> MarkdownIt:
    # Headings in commentary would break the document outline: they are demoted to h4-h6.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


def commentary_html(text: str) -> Markup:
    """Sanitised HTML for a piece of commentary (empty for empty text)."""
    if not text.strip():
        return Markup("")
    html = _markdown().render(text)
    for level in (3, 2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 3}>").replace(
            f"</h{level}>", f"</h{level + 3}>"
        )
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return Markup(cleaned.strip())  # sanitised by nh3 just above


def paragraph_html(text: str) -> Markup:
    """Sanitised HTML for one paragraph of Markdown, without its ``<p>``, to follow a
    paragraph number in the report's own ``<p>``.

    >>> str(paragraph_html("Up **7%** <b>x</b>"))
    'Up <strong>7%</strong> &lt;b&gt;x&lt;/b&gt;'
    """
    html = str(commentary_html(text))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)  # sanitised by commentary_html
