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
from markdown_it.token import Token
from markupsafe import Markup

__all__ = ["commentary_html", "markdown_text", "paragraph_html"]

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


def markdown_text(text: str) -> str:
    r"""Commentary as plain text for a spreadsheet cell: the words as a reader sees them, with
    real line breaks; bold and italic marks dropped, list items as "• " lines (numbered items
    keep their numbers), paragraphs apart by a blank line, a link's address after its words.

    >>> print(markdown_text("We trained **46 staff**.\n\n- in *May*\n- in [June](https://x.org)"))
    We trained 46 staff.
    <BLANKLINE>
    • in May
    • in June (https://x.org)
    """
    if not text.strip():
        return ""
    blocks: list[str] = []
    lines: list[str] = []
    numbers: list[int | None] = []
    item_started = False
    for token in _markdown().parse(text):
        kind = token.type
        if kind == "list_item_open":
            item_started = False
        elif kind == "bullet_list_open":
            numbers.append(None)
        elif kind == "ordered_list_open":
            numbers.append(int(str(token.attrGet("start") or 1)))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            numbers.pop()
            if not numbers:
                blocks.append("\n".join(lines))
                lines = []
        elif kind == "inline":
            words = _inline_text(token.children or [])
            if numbers and not item_started:
                item_started = True
                number = numbers[-1]
                marker = "• " if number is None else f"{number}. "
                if number is not None:
                    numbers[-1] = number + 1
                lines.append("  " * (len(numbers) - 1) + marker + words)
            elif numbers:
                lines.append("  " * len(numbers) + words)
            else:
                blocks.append(words)
        elif kind in ("fence", "code_block"):
            blocks.append(token.content.rstrip("\n"))
    if lines:
        blocks.append("\n".join(lines))
    return "\n\n".join(block for block in blocks if block)


def _inline_text(children: list[Token]) -> str:
    """An inline token's words: marks dropped, line breaks kept, links followed by their
    address when it differs from their words."""
    out: list[str] = []
    href: str | None = None
    words_at = 0
    for child in children:
        kind = child.type
        if kind == "link_open":
            href = str(child.attrGet("href") or "")
            words_at = len(out)
        elif kind == "link_close":
            words = "".join(out[words_at:])
            if href and href not in (words, f"mailto:{words}"):
                out.append(f" ({href})")
            href = None
        elif kind == "softbreak" or kind == "hardbreak":
            out.append("\n")
        elif kind in ("text", "code_inline"):
            out.append(child.content)
    return "".join(out)
