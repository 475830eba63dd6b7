"""Data printed in rich tables (``kg query``, ``kg stats``, ``kg eval``): literal text, whatever it holds.

Rich reads ``[bold]`` in a string as markup, and ``[/bold]`` without its
opening tag raises an error; a terminal acts on the escape sequences of
control characters (colours, moving the cursor, retitling the window). An
article's text or an actor's name may hold either, so each cell of data is a
:func:`literal`: a ``rich.text.Text``, never read as markup, with every
control character but the line break shown as its Python escape.

>>> literal("Putin [/bold] met\\x1b[31m Lukashenko").plain
'Putin [/bold] met\\\\x1b[31m Lukashenko'
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

__all__ = ["literal", "shown"]

# C0 controls but the line break, DEL and the C1 controls (ESC's one-byte form U+009B among them).
_CONTROLS = {code: repr(chr(code))[1:-1] for code in (*range(0x20), *range(0x7F, 0xA0)) if code != 0x0A}


def shown(value: object) -> str:
    """``value`` as text for a terminal: ``""`` for None, control characters as escapes.

    >>> shown("a\\tb\\x07c\\nd")
    'a\\\\tb\\\\x07c\\nd'
    """
    return "" if value is None else str(value).translate(_CONTROLS)


def literal(value: object) -> Text:
    """``value`` as a rich ``Text`` that prints as it is written (see :func:`shown`)."""
    from rich.text import Text

    return Text(shown(value))
