"""Evidence files: the documents that prove a row is done, attached to a unit's report;
and the files the reviewer sends with a return comment.

A file's type is decided from its content, never its name; only documents and photos are
taken (PDF, Word, Excel, ODF, JPEG, PNG, HEIC). Contents are stored once by SHA-256, in
chunks, and read back chunk by chunk. Attaching and removing are changes in the report's
history; a report sent for a period keeps the files it carried then (PeriodAttachment); a
return keeps the reviewer's files with that review (ReviewAttachment).
"""

import hashlib
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Iterator

from sqlalchemy import Engine, Row, and_, bindparam, func, insert
from sqlmodel import Session, select

from ..database import PreparedRead, lock_for_write, shown_rows
from ..models import (
    Attachment,
    FileChunk,
    PeriodAttachment,
    PeriodReport,
    Report,
    ReportChange,
    ReviewAttachment,
    StoredFile,
    Task,
    Unit,
    User,
)
from . import clock
from .reading.formats import size_text
from .reports import ensure_report

CHUNK = 1024 * 1024
# A margin over the files themselves for a form's other fields and the multipart framing.
FORM_MARGIN = 1024 * 1024
# What a ZIP-based document may unpack to, and by how much it may be compressed overall.
MAX_UNPACKED = 300 * 1024 * 1024
MAX_RATIO = 100

PDF, DOCX, XLSX = ("application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOC, XLS = "application/msword", "application/vnd.ms-excel"
JPEG, PNG, HEIC = "image/jpeg", "image/png", "image/heic"
ODF = {"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
       "application/vnd.oasis.opendocument.presentation"}
# Types a browser may show in place; every other file is only downloaded.
SHOWN_IN_BROWSER = {PDF, JPEG, PNG}
ACCEPTED = "PDF, Word (.docx, .doc), Excel (.xlsx, .xls), OpenDocument, ảnh JPEG, PNG, HEIC"
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1"}
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


class EvidenceError(ValueError):
    """A file refused, with the reason in Vietnamese; nothing was stored."""


@dataclass
class Limits:
    max_file: int
    max_report: int

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(config["EVIDENCE_MAX_FILE_MB"] * 1024 * 1024, config["EVIDENCE_MAX_REPORT_MB"] * 1024 * 1024)

    @property
    def max_body(self) -> int:
        """The largest request that may carry files up to these limits."""
        return self.max_report + FORM_MARGIN


@dataclass
class Upload:
    """A file as the browser sent it: its name and a readable, seekable stream."""
    name: str
    stream: BinaryIO


@dataclass
class Checked:
    """An upload that passed the checks of a file on its own, ready to be stored."""
    name: str
    digest: str
    size: int
    media_type: str
    stream: BinaryIO


@dataclass
class EvidenceFile:
    """An attached file (a unit's evidence, or a reviewer's file sent with a return) as the
    pages, reports and the API show it."""
    attachment: Attachment | ReviewAttachment | Row
    stored: StoredFile | Row

    @classmethod
    def shown(cls, row: Row) -> "EvidenceFile":
        """A file as a list of rows shows it, from one plain row (ATTACHED_TO_ROWS,
        REVIEW_FILES) that holds the attachment's columns and its stored content's size and type."""
        return cls(row, row)

    @property
    def size_text(self) -> str:
        return size_text(self.stored.size)

    @property
    def inline(self) -> bool:
        return self.stored.media_type in SHOWN_IN_BROWSER


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise EvidenceError("Tệp không có tên.")
    if _BAD_NAME.search(name) or name in {".", ".."}:
        raise EvidenceError(f"Tên tệp «{_printable(name)}» có ký tự không được phép (dấu / \\ hoặc ký tự điều khiển): "
                            "hãy đổi tên tệp rồi tải lên lại.")
    if len(name) > 200:
        raise EvidenceError("Tên tệp dài quá 200 ký tự: hãy đặt tên ngắn hơn.")
    return name


def media_type_of(name: str, stream: BinaryIO) -> str:
    """The file's type read from its first bytes (and, for ZIP-based documents, its parts)."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return HEIC
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # Office 97-2003: the name says which
        if suffix in {"doc", "xls"}:
            return DOC if suffix == "doc" else XLS
        raise EvidenceError(f"Tệp «{name}» là tài liệu Office 97-2003 nhưng không có đuôi .doc hoặc .xls.")
    if head.startswith(b"PK\x03\x04"):
        return _zip_document(name, stream)
    raise EvidenceError(f"Tệp «{name}» không phải là loại được nhận ({ACCEPTED}): loại tệp được xét theo nội dung, "
                        "không theo đuôi tên.")


def _zip_document(name: str, stream: BinaryIO) -> str:
    """A .docx, .xlsx or ODF file, checked before anything is unpacked (a «ZIP bomb» is refused)."""
    try:
        archive = zipfile.ZipFile(stream)
        members = archive.infolist()
    except zipfile.BadZipFile:
        raise EvidenceError(f"Tệp «{name}» bị hỏng hoặc không phải là tài liệu.") from None
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if unpacked > MAX_UNPACKED or unpacked / packed > MAX_RATIO:
        raise EvidenceError(f"Tệp «{name}» giải nén ra {size_text(unpacked)}, bất thường với một tài liệu: không nhận.")
    names = {member.filename for member in members}
    try:
        if "word/document.xml" in names:
            kind = DOCX
        elif "xl/workbook.xml" in names:
            kind = XLSX
        elif "mimetype" in names and archive.read("mimetype").decode("ascii", "replace").strip() in ODF:
            kind = archive.read("mimetype").decode("ascii").strip()
        else:
            raise EvidenceError(f"Tệp «{name}» là tệp nén (ZIP), không phải tài liệu Word, Excel hay OpenDocument.")
    finally:
        stream.seek(0)
    return kind


def _printable(name: str) -> str:
    return _BAD_NAME.sub("?", name)


def _digest_and_size(stream: BinaryIO) -> tuple[str, int]:
    stream.seek(0)
    digest, size = hashlib.sha256(), 0
    while block := stream.read(CHUNK):
        digest.update(block)
        size += len(block)
    stream.seek(0)
    return digest.hexdigest(), size


def attached(session: Session, report_ids: list[int]) -> dict[int, list[EvidenceFile]]:
    """The files attached now to each of these reports, oldest first: one query."""
    if not report_ids:
        return {}
    found: dict[int, list[EvidenceFile]] = defaultdict(list)
    for attachment, stored in session.exec(
            select(Attachment, StoredFile).join(StoredFile, Attachment.sha256 == StoredFile.sha256)
            .where(Attachment.report_id.in_(report_ids), Attachment.removed_at.is_(None))
            .order_by(Attachment.uploaded_at, Attachment.id)):
        found[attachment.report_id].append(EvidenceFile(attachment, stored))
    return found


ATTACHED_TO_ROWS = PreparedRead(
    select(Report.task_id, Report.unit_id, *Attachment.__table__.c, StoredFile.size, StoredFile.media_type)
    .join(Attachment, Attachment.report_id == Report.id)
    .join(StoredFile, Attachment.sha256 == StoredFile.sha256)
    .where(Report.task_id.in_(bindparam("task_ids", expanding=True)), Attachment.removed_at.is_(None))
    .order_by(Attachment.uploaded_at, Attachment.id),
    Report.unit_id,
)
SENT_WITH = (select(PeriodAttachment, Attachment, StoredFile)
             .join(Attachment, PeriodAttachment.attachment_id == Attachment.id)
             .join(StoredFile, Attachment.sha256 == StoredFile.sha256)
             .where(PeriodAttachment.period_report_id.in_(bindparam("copy_ids", expanding=True)))
             .order_by(Attachment.uploaded_at, Attachment.id))


def attached_by_row(session: Session, task_ids: list[int], unit_id: int | None = None
                    ) -> dict[tuple[int, int], list[EvidenceFile]]:
    """The files attached now to the reports on these tasks (of one unit, if given), by
    (task id, unit id): one query for a whole list of rows."""
    if not task_ids:
        return {}
    found: dict[tuple[int, int], list[EvidenceFile]] = defaultdict(list)
    for row in shown_rows(session, ATTACHED_TO_ROWS.of(unit_id), {"task_ids": task_ids, "unit_id": unit_id}):
        found[(row.task_id, row.unit_id)].append(EvidenceFile.shown(row))
    return found


def sent_with(session: Session, copy_ids: list[int]) -> dict[int, list[EvidenceFile]]:
    """The files each period copy carried when it was sent: one query."""
    if not copy_ids:
        return {}
    found: dict[int, list[EvidenceFile]] = defaultdict(list)
    for link, attachment, stored in session.exec(SENT_WITH, params={"copy_ids": copy_ids}):
        found[link.period_report_id].append(EvidenceFile(attachment, stored))
    return found


def check_uploads(uploads: list[Upload], limits: Limits) -> list[Checked]:
    """Each file's name, size and type, read before anything is locked or stored: a file refused
    refuses them all, and every file refused is named with its reason (chosen again, each
    would otherwise be turned away one at a time)."""
    if not uploads:
        raise EvidenceError("Hãy chọn ít nhất một tệp.")
    checked, refused = [], []
    for upload in uploads:
        try:
            checked.append(_checked(upload, limits))
        except EvidenceError as exc:
            refused.append(str(exc))
    if len(refused) > 1:
        raise EvidenceError(f"{len(refused)} tệp không nhận được, chưa tệp nào được lưu: " + " ".join(refused))
    if refused:
        raise EvidenceError(refused[0])
    return checked


def _checked(upload: Upload, limits: Limits) -> Checked:
    name = check_name(upload.name)
    digest, size = _digest_and_size(upload.stream)
    if size == 0:
        raise EvidenceError(f"Tệp «{name}» rỗng (0 byte).")
    if size > limits.max_file:
        raise EvidenceError(f"Tệp «{name}» nặng {size_text(size)}, vượt giới hạn {size_text(limits.max_file)} một tệp.")
    return Checked(name, digest, size, media_type_of(name, upload.stream), upload.stream)


def _check_together(checked: list[Checked], current: list[EvidenceFile], limits: Limits) -> None:
    """No content twice on one report, and no more than a report may hold, with the files it has."""
    held = {f.stored.sha256: f.attachment.file_name for f in current}
    seen: dict[str, str] = {}
    for file in checked:
        earlier = held.get(file.digest) or seen.get(file.digest)
        if earlier:
            raise EvidenceError(f"Tệp «{file.name}» đã có trong báo cáo này (cùng nội dung với «{earlier}»): "
                                "không tải lên lần nữa.")
        seen[file.digest] = file.name
    total = sum(f.stored.size for f in current) + sum(file.size for file in checked)
    if total > limits.max_report:
        raise EvidenceError(f"Các tệp của báo cáo sẽ nặng {size_text(total)}, vượt giới hạn "
                            f"{size_text(limits.max_report)} một báo cáo: hãy bỏ bớt tệp hoặc nén ảnh.")


def _store(session: Session, file: Checked, now: datetime) -> None:
    """The file's content in the store, unless it holds it already."""
    if session.get(StoredFile, file.digest) is not None:
        return
    session.add(StoredFile(sha256=file.digest, size=file.size, media_type=file.media_type, created_at=now))
    session.flush()
    file.stream.seek(0)
    seq = 0
    while block := file.stream.read(CHUNK):
        # A plain insert: no object stays in the session, so one chunk is in memory at a time.
        session.execute(insert(FileChunk).values(sha256=file.digest, seq=seq, data=block))
        seq += 1


def attach(session: Session, *, task: Task, unit: Unit, user: User, uploads: list[Upload],
           limits: Limits) -> list[Attachment]:
    """Store and attach the files to the unit's report on the task, all or none: a refused file
    refuses the upload with its reason."""
    checked = check_uploads(uploads, limits)
    lock_for_write(session)
    report = ensure_report(session, task, unit, user)
    current = attached(session, [report.id]).get(report.id, [])
    try:
        _check_together(checked, current, limits)
    except EvidenceError:
        session.rollback()
        raise
    now = clock.now()
    made = []
    for file in checked:
        _store(session, file, now)
        attachment = Attachment(report_id=report.id, sha256=file.digest, file_name=file.name, uploaded_by_id=user.id,
                                uploaded_at=now)
        session.add(attachment)
        session.add(ReportChange(report_id=report.id, changed_by_id=user.id, changed_at=now, field="evidence_file",
                                 old_value="", new_value=_described(file.name, file.size, file.digest)))
        made.append(attachment)
    session.commit()
    return made


def check_review_files(uploads: list[Upload] | None, limits: Limits | None) -> list[Checked]:
    """The files a reviewer sends with a return comment, checked as a unit's evidence is (none
    at all is fine)."""
    if not uploads:
        return []
    checked = check_uploads(uploads, limits)
    _check_together(checked, [], limits)
    return checked


def attach_to_review(session: Session, *, copy: PeriodReport, report: Report, files: list[Checked],
                     user: User) -> None:
    """The files go with the review just made of the copy, each in the report's history (in the
    caller's transaction)."""
    for file in files:
        _store(session, file, copy.reviewed_at)
        session.add(ReviewAttachment(period_report_id=copy.id, reviewed_at=copy.reviewed_at, sha256=file.digest,
                                     file_name=file.name, uploaded_by_id=user.id))
        session.add(ReportChange(report_id=report.id, changed_by_id=user.id, changed_at=copy.reviewed_at,
                                 period_id=copy.period_id, field="review_file", old_value="",
                                 new_value=_described(file.name, file.size, file.digest)))


# The reviewer's files of a review that still stands: a copy sent again clears its review
# (reviewed_at), and the files of that review stop being shown.
REVIEW_FILES = (select(*ReviewAttachment.__table__.c, StoredFile.size, StoredFile.media_type)
                .join(StoredFile, ReviewAttachment.sha256 == StoredFile.sha256)
                .join(PeriodReport, and_(PeriodReport.id == ReviewAttachment.period_report_id,
                                         PeriodReport.reviewed_at == ReviewAttachment.reviewed_at))
                .where(ReviewAttachment.period_report_id.in_(bindparam("copy_ids", expanding=True)))
                .order_by(ReviewAttachment.id))


def review_files(session: Session, copies) -> dict[int, list[EvidenceFile]]:
    """The files the reviewer sent with each copy's standing review (none once it is sent
    again, which clears the review): one query."""
    ids = [copy.id for copy in copies if copy.reviewed_at is not None]
    if not ids:
        return {}
    found: dict[int, list[EvidenceFile]] = defaultdict(list)
    for row in shown_rows(session, REVIEW_FILES, {"copy_ids": ids}):
        found[row.period_report_id].append(EvidenceFile.shown(row))
    return found


def show_review_files(session: Session, rows) -> None:
    """Give each report row (services.rows.ReportRow) its review_files: those sent with the
    return comment its period copy shows."""
    found = review_files(session, [row.copy for row in rows if row.copy])
    for row in rows:
        row.review_files = found.get(row.copy.id, []) if row.copy else []


def find_review_file(session: Session, *, task: Task, unit: Unit, file_id: int) -> EvidenceFile | None:
    """A file the reviewer sent with any review of this unit's report on the task."""
    row = session.exec(select(ReviewAttachment, StoredFile)
                       .join(StoredFile, ReviewAttachment.sha256 == StoredFile.sha256)
                       .join(PeriodReport, PeriodReport.id == ReviewAttachment.period_report_id)
                       .where(ReviewAttachment.id == file_id, PeriodReport.task_id == task.id,
                              PeriodReport.unit_id == unit.id)).first()
    return EvidenceFile(*row) if row else None


def remove(session: Session, *, attachment: Attachment, user: User) -> None:
    """Take a file off the report's draft; a period copy that was sent with it keeps it."""
    lock_for_write(session)
    attachment = session.get(Attachment, attachment.id)
    if attachment.removed_at is not None:
        session.rollback()
        raise EvidenceError(f"Tệp «{attachment.file_name}» đã được gỡ trước đó.")
    stored = session.get(StoredFile, attachment.sha256)
    attachment.removed_at, attachment.removed_by_id = clock.now(), user.id
    session.add(attachment)
    session.add(ReportChange(report_id=attachment.report_id, changed_by_id=user.id, changed_at=attachment.removed_at,
                             field="evidence_file", old_value=_described(attachment.file_name, stored.size,
                                                                         stored.sha256),
                             new_value="(đã gỡ khỏi báo cáo)"))
    session.commit()


def keep_with_copy(session: Session, *, copy: PeriodReport, report: Report) -> None:
    """What a report sends for a period includes its files as they are now (in the caller's transaction)."""
    session.flush()
    for link in session.exec(select(PeriodAttachment).where(PeriodAttachment.period_report_id == copy.id)).all():
        session.delete(link)
    for evidence in attached(session, [report.id]).get(report.id, []):
        session.add(PeriodAttachment(period_report_id=copy.id, attachment_id=evidence.attachment.id))


def sent_file_ids(session: Session, copy_ids: list[int]) -> dict[int, set[int]]:
    """The attachments each period copy was sent with, by the copy's id: one query."""
    sent = defaultdict(set)
    if copy_ids:
        for copy_id, attachment_id in session.exec(
                select(PeriodAttachment.period_report_id, PeriodAttachment.attachment_id)
                .where(PeriodAttachment.period_report_id.in_(copy_ids))):
            sent[copy_id].add(attachment_id)
    return sent


def files_changed_since_sent(session: Session, pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of these (report id, period copy id) pairs, those whose files now are not the files the
    copy was sent with (one added or removed since): two queries for any number of pairs."""
    if not pairs:
        return set()
    now = defaultdict(set)
    for report_id, attachment_id in session.exec(
            select(Attachment.report_id, Attachment.id)
            .where(Attachment.report_id.in_([r for r, _ in pairs]), Attachment.removed_at.is_(None))):
        now[report_id].add(attachment_id)
    sent = sent_file_ids(session, [c for _, c in pairs])
    return {(report_id, copy_id) for report_id, copy_id in pairs if now[report_id] != sent[copy_id]}


def find(session: Session, *, report: Report, attachment_id: int) -> EvidenceFile | None:
    """A file of this report, attached now or sent with one of its period copies."""
    row = session.exec(select(Attachment, StoredFile).join(StoredFile, Attachment.sha256 == StoredFile.sha256)
                       .where(Attachment.id == attachment_id, Attachment.report_id == report.id)).first()
    return EvidenceFile(*row) if row else None


def content(engine: Engine, sha256: str) -> Iterator[bytes]:
    """The file's bytes, a chunk at a time (one small query each), read through a session of its
    own: a response is sent after its request's session has ended."""
    with Session(engine) as session:
        yield from _chunks(session, sha256)


def _chunks(session: Session, sha256: str) -> Iterator[bytes]:
    count = session.exec(select(func.count()).select_from(FileChunk).where(FileChunk.sha256 == sha256)).one()
    for seq in range(count):
        yield session.exec(select(FileChunk.data).where(FileChunk.sha256 == sha256, FileChunk.seq == seq)).one()


def period_files(session: Session, period_id: int) -> list[tuple[Unit, Task, PeriodReport, EvidenceFile]]:
    """Every file sent with the period's reports, by unit and row."""
    rows = session.exec(
        select(Unit, Task, PeriodReport, Attachment, StoredFile)
        .join(PeriodAttachment, PeriodAttachment.period_report_id == PeriodReport.id)
        .join(Attachment, PeriodAttachment.attachment_id == Attachment.id)
        .join(StoredFile, Attachment.sha256 == StoredFile.sha256)
        .join(Unit, PeriodReport.unit_id == Unit.id)
        .join(Task, PeriodReport.task_id == Task.id)
        .where(PeriodReport.period_id == period_id)
        .order_by(Unit.code, Task.position, Attachment.id)).all()
    return [(unit, task, copy, EvidenceFile(attachment, stored)) for unit, task, copy, attachment, stored in rows]


def _described(name: str, size: int, digest: str) -> str:
    return f"{name} ({size_text(size)}, SHA-256 {digest[:12]}…)"


class _Pipe(io.RawIOBase):
    """A write-only stream whose bytes are handed on as they come (a ZIP written as it is sent)."""

    def __init__(self):
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


INDEX_COLUMNS = ["Đơn vị", "Nhiệm vụ", "Tệp trong thư mục", "Tên tệp", "Loại", "Kích thước (byte)", "SHA-256",
                 "Văn bản (số, ngày)", "Tình trạng rà soát"]


def period_zip(engine: Engine, *, period_id: int, state_labels: dict) -> Iterator[bytes]:
    """Every file sent with the period's reports in one ZIP, a folder per unit, and an index
    sheet first; written and sent piece by piece, never whole in memory (a session of its own)."""
    with Session(engine) as session:
        yield from _zip_stream(session, period_id, state_labels)


def _zip_stream(session: Session, period_id: int, state_labels: dict) -> Iterator[bytes]:
    files = period_files(session, period_id)
    used: set[str] = set()
    paths = [zip_path(unit, task, evidence.attachment.file_name, used) for unit, task, _, evidence in files]
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("Danh-muc-minh-chung.xlsx", _index(files, paths, state_labels))
        yield pipe.take()
        for (_, _, _, evidence), path in zip(files, paths):
            info = zipfile.ZipInfo(path, date_time=evidence.attachment.uploaded_at.timetuple()[:6])
            with archive.open(info, mode="w", force_zip64=evidence.stored.size > 2**31) as member:
                for block in _chunks(session, evidence.stored.sha256):
                    member.write(block)
                    yield pipe.take()
    yield pipe.take()


def _index(files, paths: list[str], state_labels: dict) -> bytes:
    from openpyxl import Workbook  # only this download needs it

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Minh chứng")
    sheet.append(INDEX_COLUMNS)
    for (unit, task, copy, evidence), path in zip(files, paths):
        document = copy.evidence_number + (f" ngày {copy.evidence_date:%d/%m/%Y}" if copy.evidence_date else "")
        sheet.append([unit.name, task.ref, path, evidence.attachment.file_name, evidence.stored.media_type,
                      evidence.stored.size, evidence.stored.sha256, document, state_labels.get(copy.state, "")])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_path(unit: Unit, task: Task, file_name: str, used: set[str]) -> str:
    """unit code / row ref - file name, made unique within the archive."""
    path = f"{unit.code}/{task.ref} - {file_name}"
    stem, dot, suffix = path.rpartition(".")
    number = 2
    while path in used:
        path = f"{stem} ({number}).{suffix}" if dot else f"{path} ({number})"
        number += 1
    used.add(path)
    return path
