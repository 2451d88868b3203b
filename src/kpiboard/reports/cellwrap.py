"""How tall a spreadsheet row must be for its wrapped text.

Neither Excel nor LibreOffice sizes a row to its wrapped text when it opens a workbook written
by a program: the workbook has to give each row its height, estimated here from the words and
the column's width in characters.
"""

from __future__ import annotations

__all__ = ["DEFAULT_WIDTH", "LINE_HEIGHT_PT", "wrapped_lines"]

DEFAULT_WIDTH = 8  # a column's width in characters when the sheet does not set it
LINE_HEIGHT_PT = 15  # a line of 11-point text


def wrapped_lines(text: str, width: int) -> int:
    r"""How many lines ``text`` takes wrapped in a column ``width`` characters wide (a little
    generous: a word that does not fit starts a new line).

    >>> wrapped_lines("Higher is better", 22), wrapped_lines("one two three", 8)
    (1, 2)
    >>> wrapped_lines("a\n\nb", 10)
    3
    """
    total = 0
    for line in text.split("\n"):
        count, used = 1, 0
        for word in line.split():
            if used and used + 1 + len(word) > width:
                count, used = count + 1, len(word)
            else:
                used += (1 if used else 0) + len(word)
        total += count
    return total
