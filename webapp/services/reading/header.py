"""Find a table's header row by what its titles mean, and what each column holds.

Title lines above the table (PHỤ LỤC, the issuing body, «Kèm theo…») are passed over; the
header is the first row whose titles name the content and at least one other column
(vocabulary.toml, [[columns]]), in any order, case or line breaks. A second header row
under it is joined to it: titles of columns («Cơ quan thực hiện» over «Chủ trì» | «Phối
hợp»), or any short titles under a cell merged across them («Nguồn kinh phí» over «Ngân
sách nhà nước» | «Xã hội hóa»); a row of column numbers under the header («(1) (2) (3)…»)
is passed over. Columns no title names are kept as extra fields of each row, under their
own titles (with the title over them: «Nguồn kinh phí Xã hội hóa»).
"""

import re
from dataclasses import dataclass, field

from ..text import nfc
from .formats import Grid
from .vocabulary import folded, vocabulary

ROLES = ("stt", "content", "lead", "support", "time", "product")
ROLE_TITLES = {"stt": "STT", "content": "Nội dung", "lead": "Chủ trì", "support": "Phối hợp", "time": "Thời gian",
               "product": "Sản phẩm"}
HEADER_SEARCH_ROWS = 20
_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,2}|[a-z])\)?\.?$")


@dataclass
class Header:
    rows: list[int]  # the header rows of the grid
    first_row: int  # the first row below the header (and its column numbers)
    columns: dict[str, int]  # role -> column
    extras: list[tuple[int, str]] = field(default_factory=list)  # (column, title as written)
    titles: list[str] = field(default_factory=list)  # every column's title, as written

    @property
    def signature(self) -> tuple:
        """What a repeated header (a table continued on the next page) looks like again."""
        return tuple(folded(t) for t in self.titles)

    def is_task_table(self) -> bool:
        return "content" in self.columns and "lead" in self.columns


def _role(title: str) -> str | None:
    text = folded(title).strip(" :*.")
    if not text:
        return None
    return next((role for role, pattern in vocabulary().columns if pattern.search(text)), None)


def _is_header_row(cells: list[str]) -> bool:
    roles = {_role(c) for c in cells if c.strip()} - {None}
    return "content" in roles and len(roles) >= 2


def _is_sub_header(cells: list[str], above: set[int], under_group=lambda col: False) -> bool:
    """A second header row: only short titles, each a column's («Chủ trì», «Phối hợp») or
    under a header cell merged across several columns (under_group)."""
    own = [(i, c) for i, c in enumerate(cells) if c.strip() and i not in above]
    return bool(own) and all(
        len(c) <= 60 and (_role(c) or vocabulary().column_groups.search(folded(c)) or under_group(i)) for i, c in own)


def _span(grid: Grid, row: int, col: int) -> tuple[int, int]:
    """The first and last columns of the cell at (row, col), merged across or not."""
    first, last = col, col
    while (row, first) in grid.across:
        first -= 1
    while (row, last + 1) in grid.across:
        last += 1
    return first, last


def is_column_numbers(cells: list[str]) -> bool:
    """«(1) (2) (3)…» or «1 2 3…» under a header: the columns numbered, not a row of the plan."""
    own = [folded(c).strip() for c in cells if c.strip()]
    return len(own) >= 3 and len(own) >= len(cells) // 2 and all(_COLUMN_NUMBER.match(c) for c in own)


def _looks_like_header(cells: list[str]) -> bool:
    """Further down a sheet, another table's header (indicators under the tasks): short
    titles naming three kinds of column, or STT and one more; no row of the plan does."""
    own = [c for c in cells if c.strip()]
    if not own or any(len(c) > 80 for c in own):
        return False
    roles = {_role(c) for c in own} - {None}
    return len(roles) >= 3 or ("stt" in roles and len(roles) >= 2)


def find_header(grid: Grid) -> Header | None:
    headers = find_headers(grid)
    return headers[0] if headers else None


def find_headers(grid: Grid) -> list[Header]:
    """Every table's header in the grid, in order: the first within the first rows, then any
    other table's header further down (a header repeated after a page break is not another)."""
    found: list[Header] = []
    row = 0
    while row < len(grid.rows):
        cells = grid.rows[row]
        first = not found and row < HEADER_SEARCH_ROWS and _is_header_row(cells)
        later = found and _looks_like_header(cells) and tuple(folded(c) for c in cells) != found[-1].signature
        if first or later:
            header = _header_at(grid, row)
            found.append(header)
            row = header.first_row
            continue
        row += 1
    return found


def _header_at(grid: Grid, row: int) -> Header:
    rows = [row]
    # A title row above, over the columns below it («Cơ quan thực hiện» over «Chủ trì»).
    if row > 0 and _is_sub_header(grid.rows[row - 1], set()) and any(
            vocabulary().column_groups.search(folded(c)) for c in grid.rows[row - 1] if c.strip()):
        rows.insert(0, row - 1)
    below = row + 1

    def under_group(col: int) -> bool:  # under a titled header cell merged across several columns
        first, last = _span(grid, rows[-1], col)
        return first < last and bool(grid.rows[rows[-1]][first].strip())

    while below < len(grid.rows) and _is_sub_header(grid.rows[below], _from_above(grid, below), under_group):
        rows.append(below)
        below += 1
    if below < len(grid.rows) and is_column_numbers(grid.rows[below]):
        below += 1
    width = len(grid.rows[row])
    titles, own_titles = [], []
    for col in range(width):
        own = [grid.rows[r][col] for r in rows if grid.rows[r][col].strip() and (r, col) not in grid.from_above]
        # A column covered by the title on its left shares it: «Nguồn kinh phí» over «Xã hội hóa».
        shared = [grid.rows[r][_span(grid, r, col)[0]] for r in rows if (r, col) in grid.across]
        own_titles.append(_joined(own))
        titles.append(_joined(shared + own) if own else "")
    header = Header(rows, below, {}, titles=titles)
    for col, title in enumerate(titles):
        # A column is named by its own words: «Phối hợp» under «Cơ quan thực hiện» supports.
        role = _role(own_titles[col])
        if role and role not in header.columns:
            header.columns[role] = col
        elif title or any(r[col].strip() for r in grid.rows[below:]):
            header.extras.append((col, title or f"Cột {col + 1}"))
    return header


def _joined(parts: list[str]) -> str:
    return " ".join(" ".join(nfc(p).split()) for p in parts)


def _from_above(grid: Grid, row: int) -> set[int]:
    return {c for (r, c) in grid.from_above if r == row}


def describe_columns(header: Header | None, grid: Grid) -> str:
    """The titles a table has, for a message that says what was expected instead."""
    if header is not None:
        return ", ".join(f"«{t}»" for t in header.titles if t) or "(không có tiêu đề)"
    first = next((row for row in grid.rows if any(c.strip() for c in row)), [])
    return ", ".join(f"«{' '.join(c.split())}»" for c in first if c.strip()) or "(trống)"
