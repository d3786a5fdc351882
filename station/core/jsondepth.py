"""How deeply a JSON text nests, found without parsing it.

``json.loads`` recurses on nesting, so ``[[[[...]]]]`` of a few kilobytes from a socket
or a browser raises RecursionError deep inside the parser. Counting first, in one pass
over the text (brackets inside strings do not count), lets a server refuse it plainly.
Used by the control socket (``station.service.limits``) and the panel
(``station.panel.limits``).
"""

from __future__ import annotations


def depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in JSON ``text``, outside strings."""
    deepest = level = 0
    in_string = escaped = False
    for c in text:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            level += 1
            deepest = max(deepest, level)
        elif c in "]}":
            level -= 1
    return deepest
