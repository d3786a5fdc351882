"""Free text the station stores (notes, phase names): refused unless it can be stored and
shown as it was typed.

Text reaches the station from a terminal (whose bytes may not be UTF-8: Python hands them
on as lone surrogates, which SQLite cannot store, so such a note was dropped after the
command had succeeded), from the panel's JSON (whose ``\\udcff`` escapes give the same) and
from OSC. Control characters are refused too: a terminal escape (ESC, or the C1 control
CSI) stored in the journal would act on the terminal of whoever later prints a report, and
a bidirectional override makes the text read other than it is. Refusing, with the reason
and where, is the one consistent rule: whatever is answered with success is stored
exactly as sent. Notes may hold line breaks and tabs; names may not.
"""

from __future__ import annotations

import unicodedata

from station.core.errors import StationError

LAYOUT = {"\n", "\t", "\r"}
# Cf characters that reorder or hide text (bidi embeddings, overrides and isolates)
BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F,
                         0x061C)}


def checked_text(value: object, what: str, *, lines: bool = False) -> str:
    """``value`` if it is text the station can store and show unchanged; ``StationError``
    (exit 1, HTTP 400, ``/station/error``) naming ``what`` and the first bad character's
    position (1-based) otherwise. ``lines``: line breaks and tabs are allowed."""
    if not isinstance(value, str):
        raise StationError(f"{what} must be text.")
    for i, ch in enumerate(value, 1):
        if "\ud800" <= ch <= "\udfff":
            raise StationError(f"{what} is not valid text (character {i} is not UTF-8: a "
                               f"terminal set to another encoding?). Type it again in a "
                               f"UTF-8 terminal, or in the panel.")
        if lines and ch in LAYOUT:
            continue
        if unicodedata.category(ch) == "Cc" or ch in BIDI:
            raise StationError(f"{what} holds a control character (U+{ord(ch):04X} at "
                               f"character {i}), which the station does not store; type it "
                               f"without it.")
    return value
