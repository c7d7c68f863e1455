"""An independent reading of the appendix straight from the plan's source document.

The source text flattens the appendix table: every cell is its own paragraph and an
empty cell is a paragraph holding only a non-breaking space. This reader rebuilds the
rows without using any of the application's code, so that a test can compare what the
application loaded and exports with the document itself.
"""

import re
from dataclasses import dataclass
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "webapp" / "data" / "plan_1958" / "ke-hoach-1958-QD-UBND.txt"

COLUMN_TITLES = [
    "STT",
    "Nội dung công việc",
    "Đơn vị chủ trì thực hiện",
    "Đơn vị phối hợp",
    "Thời gian thực hiện",
    "Sản phẩm",
]


@dataclass
class TextRow:
    ref: str
    section: str
    stt: str
    content: str
    lead: str
    support: str
    timeframe: str
    product: str


def _paragraphs(text: str) -> list[str]:
    lines = [line.rstrip("\n") for line in text.split("\n")]
    return ["" if line.strip("\xa0 ") == "" and "\xa0" in line else line for line in lines if line != ""]


def read_appendix(path: Path = SOURCE) -> tuple[list[TextRow], dict[str, str]]:
    """Return the task rows (in order) and the section titles by code."""
    paras = _paragraphs(path.read_text(encoding="utf-8"))
    start = paras.index("PHỤ LỤC") + 1
    assert paras[start : start + 6] == COLUMN_TITLES, paras[start : start + 6]
    i = start + 6

    def empties_at(k: int) -> int:
        count = 0
        while k + count < len(paras) and paras[k + count] == "":
            count += 1
        return count

    rows: list[TextRow] = []
    titles: dict[str, str] = {}
    part = section = None
    tasks_in_section = 0
    while i < len(paras):
        p = paras[i]
        if re.fullmatch(r"[A-H]\.", p):
            part = p[0]
            titles[part] = paras[i + 1]
            section, i = None, i + 2
        elif re.fullmatch(r"[IVX]+\.", p) or (part == "B" and re.fullmatch(r"\d+\.?", p)):
            section = f"{part}.{p.rstrip('.')}"
            titles[section] = paras[i + 1]
            tasks_in_section = 0
            i += 2
            if empties_at(i) >= 4:
                i += 4
        elif re.fullmatch(r"\d+(\.\d+)*\.?", p) or (p == "" and tasks_in_section == 0):
            cells = []
            j = i + 1
            for _ in range(5):
                cell = paras[j]
                j += 1
                while cell.startswith("- ") and j < len(paras) and paras[j].startswith("- "):
                    cell += "\n" + paras[j]
                    j += 1
                cells.append(cell)
            tasks_in_section += 1
            number = p.rstrip(".").split(".")[-1] if p else str(tasks_in_section)
            rows.append(TextRow(f"{section}.{number}", section, p, *cells))
            i = j
        else:
            break
    return rows, titles
