"""A word's tsquery, as PostgreSQL prints it, read as a tree the posting lists can answer.

``quebec_search_words(word)`` gives lexemes joined by ``&``, ``|`` and
``!``; anything else (a phrase's ``<->``, a prefix or weight marker) is
:class:`Unsupported`, and the search is read by the statement instead.
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Union

# ('v', lexeme) | ('&', a, b) | ('|', a, b) | ('!', a)
Tree = tuple[Any, ...]


class Unsupported(ValueError):
    """A tsquery the posting lists do not answer (phrase, prefix, weights)."""


def parse(text: str) -> Optional[Tree]:
    """The tree of a tsquery's text output; None for the empty tsquery (stop words only)."""
    tokens = _tokens(text)
    if not tokens:
        return None
    position = 0

    def either() -> Tree:
        nonlocal position
        node = both()
        while position < len(tokens) and tokens[position][0] == "|":
            position += 1
            node = ("|", node, both())
        return node

    def both() -> Tree:
        nonlocal position
        node = unary()
        while position < len(tokens) and tokens[position][0] == "&":
            position += 1
            node = ("&", node, unary())
        return node

    def unary() -> Tree:
        nonlocal position
        token = tokens[position]
        position += 1
        if token[0] == "!":
            return ("!", unary())
        if token[0] == "(":
            node = either()
            if tokens[position][0] != ")":
                raise Unsupported(text)
            position += 1
            return node
        if token[0] != "v":
            raise Unsupported(text)
        return token

    try:
        tree = either()
    except IndexError:  # an operator without its operand
        raise Unsupported(text) from None
    if position != len(tokens):
        raise Unsupported(text)
    return tree


def _tokens(text: str) -> list[Tree]:
    tokens: list[Tree] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "'":
            i += 1
            chars = []
            while True:
                if i >= n:
                    raise Unsupported(text)
                c = text[i]
                if c == "\\" and i + 1 < n:
                    chars.append(text[i + 1])
                    i += 2
                elif c == "'" and i + 1 < n and text[i + 1] == "'":
                    chars.append("'")
                    i += 2
                elif c == "'":
                    i += 1
                    break
                else:
                    chars.append(c)
                    i += 1
            if i < n and text[i] == ":":
                raise Unsupported(text)  # weights or prefix
            tokens.append(("v", "".join(chars)))
        elif c in "&|!()":
            tokens.append((c,))
            i += 1
        else:
            raise Unsupported(text)  # <-> and <N>: phrases
    return tokens


def lexemes(tree: Optional[Tree]) -> list[str]:
    """Every lexeme of ``tree``, negated ones included, in order."""
    if tree is None:
        return []
    if tree[0] == "v":
        return [tree[1]]
    return [lexeme for child in tree[1:] for lexeme in lexemes(child)]


def rank_items(tree: Optional[Tree]) -> list[str]:
    """The items ts_rank reads: unique, in tsCompareString's order (bytes, shorter first)."""
    return sorted(set(lexemes(tree)), key=lambda lexeme: lexeme.encode())


def either_of(trees: list[Optional[Tree]]) -> Optional[Tree]:
    """``a || b || ...`` of tsqueries: empty ones drop out."""
    combined = None
    for tree in trees:
        if tree is not None:
            combined = tree if combined is None else ("|", combined, tree)
    return combined


Mask = Any  # numpy bool array


def evaluate(tree: Tree, present: Callable[[str], Mask]) -> Union[Mask, Any]:
    """Which documents match ``tree`` (@@), from each lexeme's presence."""
    if tree[0] == "v":
        return present(tree[1])
    if tree[0] == "&":
        return evaluate(tree[1], present) & evaluate(tree[2], present)
    if tree[0] == "|":
        return evaluate(tree[1], present) | evaluate(tree[2], present)
    return ~evaluate(tree[1], present)
