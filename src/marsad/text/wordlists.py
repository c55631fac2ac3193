"""Word lists kept as data (``data/*.tsv``: ``list<TAB>word[<TAB>value]`` rows, ``#`` comments),
checked when loaded: the rules and features that read them match normalised text, so a word the
normaliser would write otherwise could never be seen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from marsad.text.normalise import normalise


def parse_word_lists(text: str, names: Sequence[str], source: str, *, header: bool = False,
                     one_word: bool = False,
                     value: Callable[[str], str | None] | None = None) -> dict[str, dict[str, str]]:
    """list -> {word: value}, in the file's order. A :class:`ValueError` names the line of the first
    row that is not a known list, a word as the normaliser writes it (``one_word``: without a space),
    a word new to its list, or a value ``value`` accepts (it returns what is wrong, or None; without
    it a row holds no value). ``header``: the first row that is not a comment names the columns."""
    out: dict[str, dict[str, str]] = {name: {} for name in names}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if header:
            header = False
            continue
        name, word, extra, *rest = line.split("\t") + ["", ""]
        where = f"{source}:{n}"
        if name not in out:
            raise ValueError(f"{where}: unknown list {name!r} (known: {', '.join(names)})")
        if not word or (one_word and " " in word) or normalise(word)[0] != word:
            raise ValueError(f"{where}: {word!r} is not {'one word' if one_word else 'written'} as the "
                             f"normaliser writes it ({normalise(word)[0]!r})")
        if word in out[name]:
            raise ValueError(f"{where}: {word!r} twice in {name!r}")
        problem = value(extra) if value is not None else (
            f"expected 'list<TAB>word', not a third column {extra!r}" if extra or any(rest) else None)
        if problem:
            raise ValueError(f"{where}: {problem}")
        out[name][word] = extra
    return out
