"""Markdown (officers' commentary and narrative) as Word paragraphs and lists.

The same reading of Markdown as the HTML's (:mod:`kpiboard.reports.markup`): no raw HTML, no
images; text, bold, italic, code, lists and links only.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Protocol

from docx.text.paragraph import Paragraph as WordParagraph
from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = ["MarkdownWriter", "ParagraphMaker", "markdown_tokens"]


class ParagraphMaker(Protocol):
    def text(self, text: str = "", style: str | None = None) -> WordParagraph: ...


@cache
def _markdown() -> MarkdownIt:
    # The same reading of Markdown as the HTML's (kpiboard.reports.markup): no raw HTML, no images.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


def markdown_tokens(text: str) -> list[Token]:
    """The block tokens of ``text`` (already cleaned of what Word cannot hold)."""
    return _markdown().parse(text)


class MarkdownWriter:
    """Markdown tokens as Word paragraphs and lists: text, bold and italic only.

    Headings in commentary become bold paragraphs (a heading would break the report's outline);
    numbered lists are written with their numbers as text, so each list starts at its own first
    number; links are written as their text and, if different, the address in brackets.
    """

    def __init__(self, writer: ParagraphMaker, number: str = "") -> None:
        self.writer = writer
        self.number = number  # put before the first paragraph, in bold
        self.lists: list[list[int | None]] = []  # per open list: [next number or None for bullets]
        self.item_started = False
        self.bold_paragraph = False

    def write(self, tokens: list[Token]) -> None:
        for token in tokens:
            if token.type in ("bullet_list_open", "ordered_list_open"):
                number = None
                if token.type == "ordered_list_open":
                    number = int(str(token.attrGet("start") or 1))
                self.lists.append([number])
            elif token.type in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
            elif token.type == "list_item_open":
                self.item_started = False
            elif token.type == "heading_open":
                self.bold_paragraph = True
            elif token.type == "heading_close":
                self.bold_paragraph = False
            elif token.type == "inline":
                self.inline(token)
            elif token.type in ("fence", "code_block"):
                for line in token.content.rstrip("\n").split("\n"):
                    self.paragraph().add_run(line).font.name = "Courier New"

    def paragraph(self) -> WordParagraph:
        if not self.lists:
            paragraph = self.writer.text()
            if self.number:
                paragraph.add_run(f"{self.number} ").bold = True
                self.number = ""
            return paragraph
        depth = min(len(self.lists), 3)
        suffix = "" if depth == 1 else f" {depth}"
        current = self.lists[-1]
        if self.item_started:
            return self.writer.text(style=f"List Continue{suffix}")
        self.item_started = True
        number = current[0]
        if number is None:
            return self.writer.text(style=f"List Bullet{suffix}")
        current[0] = number + 1
        paragraph = self.writer.text(style=f"List Continue{suffix}")
        paragraph.add_run(f"{number}. ")
        return paragraph

    def inline(self, token: Token) -> None:
        paragraph = self.paragraph()
        bold = italic = 0
        for kind, text in _inline_runs(token.children or []):
            if kind == "strong_open":
                bold += 1
            elif kind == "strong_close":
                bold -= 1
            elif kind == "em_open":
                italic += 1
            elif kind == "em_close":
                italic -= 1
            elif text:
                run = paragraph.add_run(text)
                run.bold = bool(bold) or self.bold_paragraph or None
                run.italic = bool(italic) or None
                if kind == "code_inline":
                    run.font.name = "Courier New"


def _inline_runs(children: list[Token]) -> Iterator[tuple[str, str]]:
    """(kind, text) for each inline token; links give their text, then the address if new."""
    href: str | None = None
    link_text: list[str] = []
    for child in children:
        if child.type == "link_open":
            href = str(child.attrGet("href") or "")
            link_text = []
        elif child.type == "link_close":
            if href and href not in ("".join(link_text), f"mailto:{''.join(link_text)}"):
                yield "text", f" ({href})"
            href = None
        elif child.type == "softbreak":
            yield "text", " "
        elif child.type == "hardbreak":
            yield "text", "\n"
        elif child.type in ("text", "code_inline", "html_inline"):
            if href is not None:
                link_text.append(child.content)
            yield child.type, child.content
        else:
            yield child.type, ""
