"""Vietnamese text helpers shared by the resolver, the search, the readers and every list sorted by name."""

import unicodedata
from functools import lru_cache


def fold_char(char: str) -> str:
    """One character without its diacritics, lower-cased: "Ở" -> "o", "đ" -> "d"."""
    if char in "đĐ":
        return "d"
    return unicodedata.normalize("NFD", char)[0].lower()


def fold(text: str) -> str:
    """Text without diacritics, lower-cased, of the same length as the NFC input.

    Keeping the length lets a match found in the folded text be cut out of the
    original text, so that what is shown is always the words as written.
    """
    return "".join(fold_char(c) for c in unicodedata.normalize("NFC", text))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def slug(text: str) -> str:
    """A lowercase ASCII code from a name or number: "123/KH-UBND" -> "123-kh-ubnd"."""
    import re

    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def number_vn(n: int) -> str:
    """A whole number as Vietnamese write it: 1.048.576."""
    return f"{n:,}".replace(",", ".")


def figure_vn(x: float, places: int = 2) -> str:
    """A figure as Vietnamese write it, and as the forms read it back (indicators.forms.read_number):
    1.600 · 12,5 · 1.234.567,25; never «1.6e+06», never a dot for the decimals."""
    whole, _, decimals = f"{x:,.{places}f}".partition(".")
    decimals = decimals.rstrip("0")
    return whole.replace(",", ".") + ("," + decimals if decimals else "")


# --- Vietnamese alphabetical order ---------------------------------------------------------
# Code points put «Đ» after «Z» and «Bảo» after «Bưu»; a database's ORDER BY depends on its
# collation, which SQLite and PostgreSQL do not share. Names are sorted with this key instead.

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"  # the Vietnamese letters, with f j w z in Latin order
_LETTER_RANK = {letter: rank for rank, letter in enumerate(ALPHABET)}
_LETTER_MARKS = frozenset("\u0306\u0302\u031b")  # breve, circumflex, horn: ă â ê ô ơ ư are letters of their own
# The tones, in dictionary order after the level tone (none): huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LOOKALIKES = {"ð": "đ"}  # «Ð» (eth) is typed for «Đ» in old documents


def _letter_rank(base: str, marks: str) -> int:
    letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _LETTER_MARKS))
    letter = _LOOKALIKES.get(letter, letter)
    rank = _LETTER_RANK.get(letter)
    return rank if rank is not None else len(ALPHABET) + ord(letter[0])  # other scripts after the alphabet


@lru_cache(maxsize=8192)
def vietnamese_key(text: str) -> tuple:
    """The sort key of a name in Vietnamese dictionary order: «Bảo hiểm» < «Bưu điện»,
    «Dương» < «Đông» < «Ea», case aside.

    Words (syllables) are compared in turn, each by its letters in the Vietnamese alphabet
    (a ă â b c d đ e ê g …), then by its tone (none, huyền, hỏi, ngã, sắc, nặng). A syllable's
    tone is the syllable's, wherever the mark sits, so «Ủy ban» and «Uỷ ban» sort alike.
    Numbers compare by value («Phường 2» before «Phường 10») and before words; punctuation
    and spacing are ignored; upper or lower case only breaks a tie that remains. NFC and
    NFD input give the same key.
    """
    tokens: list[tuple] = []
    cases: list[int] = []
    letters: list[int] = []
    tones: list[int] = []
    digits: list[str] = []
    base, marks = "", ""

    def end_letter() -> None:
        nonlocal base, marks
        if base:
            letters.append(_letter_rank(base, marks))
            tones.extend(_TONES[m] for m in marks if m in _TONES)
            base, marks = "", ""

    def end_token() -> None:
        end_letter()
        if letters:
            tokens.append((1, tuple(letters), tuple(tones)))
            letters.clear()
            tones.clear()
        if digits:
            number = "".join(digits)
            tokens.append((0, int(number), len(number)))
            digits.clear()

    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            if base:
                marks += char
            continue
        if char.isalpha():
            if digits:
                end_token()
            end_letter()
            base = char.lower()
            cases.append(int(char != base))
        elif char.isdecimal():
            if letters or base:
                end_token()
            digits.append(char)
        else:
            end_token()
    end_token()
    return tuple(tokens), tuple(cases)


def by_vietnamese_name(items, name=lambda item: item.name) -> list:
    """The items in the Vietnamese order of their names (equal names keep their order)."""
    return sorted(items, key=lambda item: vietnamese_key(name(item)))
