"""Long lists a page at a time: a province's plan has a thousand rows, its audit log grows
every day. A page knows the total it is part of, so counts still cover every row."""

from dataclasses import dataclass, field
from typing import Mapping

from sqlalchemy import func
from sqlmodel import Session, select


@dataclass
class Page:
    items: list = field(default_factory=list)
    total: int = 0
    number: int = 1
    size: int = 100
    # A page that continues after a given item (a list whose items leave it as they are worked
    # on, as the review queue's): how many items come before it, and the item the next page
    # continues after. Page numbers then count from that position.
    skipped: int | None = None
    next_after: int | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size), self.number + (self.next_after is not None))

    @property
    def first(self) -> int:
        """The position (from 1) of the page's first item in the whole list."""
        if not self.total:
            return 0
        return (self.skipped if self.skipped is not None else (self.number - 1) * self.size) + 1

    @property
    def last(self) -> int:
        if self.skipped is not None:
            return self.skipped + len(self.items)
        return min(self.total, self.number * self.size)

    @classmethod
    def of(cls, items: list, number: int, size: int) -> "Page":
        """A page of a list already in memory (rows whose status is derived, not stored)."""
        page = cls(total=len(items), size=size)
        page.number = min(max(number, 1), page.pages)
        page.items = items[(page.number - 1) * size:page.number * size]
        return page

    @classmethod
    def query(cls, session: Session, statement, number: int, size: int) -> "Page":
        """A page of a query's results, counted and cut by the database (the statement is ordered)."""
        page = cls(total=session.exec(select(func.count()).select_from(statement.order_by(None).subquery())).one(),
                   size=size)
        page.number = min(max(number, 1), page.pages)
        page.items = session.exec(statement.offset((page.number - 1) * size).limit(size)).all()
        return page


def page_number(args: Mapping, name: str = "page") -> int:
    """The page asked for in a URL (`?page=`, or another name where a page holds two lists):
    anything that is not a positive number is the first."""
    value = str(args.get(name, "1")).strip()
    return int(value) if value.isdigit() and 0 < int(value) < 1_000_000 else 1
