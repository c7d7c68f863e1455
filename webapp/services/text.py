"""Vietnamese text helpers shared by the resolver, the search and the readers."""

import unicodedata


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
