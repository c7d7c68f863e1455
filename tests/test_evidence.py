"""Evidence files on reports: attached by the unit writing the report, typed by content,
stored once, seen by whoever sees the report, in the history, kept with what was sent."""

import hashlib
import html
import io
import re
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from webapp.models import (
    Attachment,
    FileChunk,
    Period,
    PeriodAttachment,
    PeriodReport,
    ReportChange,
    StoredFile,
)

from .factories import open_period, save_report
from .test_api import issue_token

URL = "/tasks/A.I.3/units/stttt"
PDF = b"%PDF-1.7\n" + b"0" * 3000 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 500
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 800


def docx_bytes(text: str = "Quyết định") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<w:document>{text}</w:document>")
    return out.getvalue()


def post_files(client, url: str, files: list[tuple[bytes, str]], fields: dict, htmx: bool = True):
    """A form with files posted as a browser's does (the body built in memory, as a browser sends it)."""
    form = MultiDict([*fields.items(), *[("files", FileStorage(io.BytesIO(content), filename=name))
                                         for content, name in files]])
    if not htmx:
        form.add("csrf_token", client.token)
    boundary, body = encode_multipart(form)
    headers = {"HX-Request": "true", "X-CSRFToken": client.token} if htmx else {}
    return client.client.post(url, data=body, headers=headers, content_type=f"multipart/form-data; boundary={boundary}")


def upload(client, files: list[tuple[bytes, str]], url: str = URL, htmx: bool = True):
    return post_files(client, url + "/files", files, {"view": "task"}, htmx)


def attachments(session) -> list[Attachment]:
    session.rollback()
    return session.exec(select(Attachment).order_by(Attachment.id)).all()


def test_a_lead_attaches_several_files_at_once_named_as_written(login, session):
    unit = login("stttt")
    answer = upload(unit, [(PDF, "Quyết định 125-QĐ ban hành quy trình.pdf"), (docx_bytes(), "Báo cáo kết quả.docx"),
                           (JPEG, "Ảnh quầy một cửa.jpg")])
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in body  # the files block, in place
    assert "Đã đính kèm 3 tệp" in body and "Quyết định 125-QĐ ban hành quy trình.pdf" in body
    assert "3 KB" in body and f"{len(JPEG)} byte" in body  # each file's size; a small one in bytes, never «0 KB»
    found = attachments(session)
    assert [a.file_name for a in found] == ["Quyết định 125-QĐ ban hành quy trình.pdf", "Báo cáo kết quả.docx",
                                            "Ảnh quầy một cửa.jpg"]
    types = {s.media_type for s in session.exec(select(StoredFile))}
    assert types == {"application/pdf", "image/jpeg",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
    history = [c.new_value for c in session.exec(select(ReportChange).where(ReportChange.field == "evidence_file"))]
    assert any(h.startswith("Quyết định 125-QĐ ban hành quy trình.pdf (") and "SHA-256" in h for h in history)
    # The row shows its files to whoever sees it.
    assert "Báo cáo kết quả.docx" in login("snv-ra-soat").get("/tasks/A.I.3").get_data(as_text=True)


def test_a_file_is_downloaded_as_stored_with_safe_headers(login, session):
    unit = login("stttt")
    upload(unit, [(PDF, "Kế hoạch số 12.pdf"), (docx_bytes(), "Báo cáo.docx")])
    pdf, docx = attachments(session)
    for who in ("stttt", "snv-ra-soat", "lanh-dao", "quan-tri"):
        got = login(who).get(f"{URL}/files/{pdf.id}")
        assert got.status_code == 200 and got.data == PDF, who
    got = login("snv-ra-soat").get(f"{URL}/files/{pdf.id}")
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("inline;")  # a PDF may open in the browser
    assert "filename*=UTF-8''K%E1%BA%BF%20ho%E1%BA%A1ch%20s%E1%BB%91%2012.pdf" in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Security-Policy"].startswith("sandbox")
    word = login("snv-ra-soat").get(f"{URL}/files/{docx.id}")
    assert word.headers["Content-Disposition"].startswith("attachment;")  # nothing else inline


def test_files_follow_the_report_they_belong_to(login, session):
    """A unit not on the row does not learn the file exists; a supporter sees but cannot change it."""
    upload(login("stttt"), [(PDF, "Minh chứng.pdf")])
    pdf = attachments(session)[0]
    assert login("bhxh").get(f"{URL}/files/{pdf.id}").status_code == 404  # not on A.I.3
    supporter = login("snv")  # supports A.I.3: sees the lead's report and its files
    assert supporter.get(f"{URL}/files/{pdf.id}").data == PDF
    assert upload(supporter, [(PDF, "x.pdf")]).status_code == 403
    assert supporter.post(f"{URL}/files/{pdf.id}/remove", {"view": "task"}, htmx=True).status_code == 403
    assert login("snv-ra-soat").post(f"{URL}/files/{pdf.id}/remove", {"view": "task"}, htmx=True).status_code == 403
    # A file id of another report is not found through this report.
    upload(supporter, [(JPEG, "Ảnh phối hợp.jpg")], url="/tasks/A.I.3/units/snv")
    other = attachments(session)[-1]
    assert login("stttt").get(f"{URL}/files/{other.id}").status_code == 404
    assert supporter.get(f"/tasks/A.I.3/units/snv/files/{other.id}").data == JPEG


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"", "trong.pdf", "rỗng"),
    (b"MZ\x90\x00" + b"\x00" * 200, "bao-cao.pdf", "không phải là loại được nhận"),
    (b"<html><script>alert(1)</script></html>", "trang.html", "không phải là loại được nhận"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "anh.svg",
     "không phải là loại được nhận"),
    (b"PK\x03\x04" + b"\x00" * 100, "hong.docx", "bị hỏng"),
    (b"%PDF-1.4 x", "a/b.pdf", "ký tự không được phép"),
    (b"%PDF-1.4 x", "dong\x01moi.pdf", "ký tự điều khiển"),
])
def test_bad_files_are_refused_with_a_reason_and_change_nothing(login, session, content, name, message):
    body = upload(login("stttt"), [(PDF, "tốt.pdf"), (content, name)]).get_data(as_text=True)
    assert message in body
    assert attachments(session) == [] and session.exec(select(StoredFile)).all() == []


def test_every_file_refused_is_named_with_its_reason(login, session):
    body = html.unescape(upload(login("stttt"), [(b"", "trong.pdf"), (PDF, "tốt.pdf"),
                                                 (b"<html></html>", "trang.html")]).get_data(as_text=True))
    assert "2 tệp không nhận được, chưa tệp nào được lưu: Tệp «trong.pdf» rỗng (0 byte)." in body
    assert "«trang.html»" in body and "không phải là loại được nhận" in body
    assert attachments(session) == []


def test_a_zip_bomb_dressed_as_a_document_is_refused(login, session):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"0" * (50 * 1024 * 1024))
    body = upload(login("stttt"), [(out.getvalue(), "bao-cao.docx")]).get_data(as_text=True)
    assert "bất thường với một tài liệu" in body and attachments(session) == []


def test_sizes_are_limited_per_file_and_per_report(app, login, session):
    app.config.update(EVIDENCE_MAX_FILE_MB=1, EVIDENCE_MAX_REPORT_MB=2)
    unit = login("stttt")
    big = b"%PDF-1.7\n" + b"1" * (1024 * 1024 + 10)
    assert "vượt giới hạn 1.0 MB một tệp" in upload(unit, [(big, "lon.pdf")]).get_data(as_text=True)
    part = b"%PDF-1.7\n" + b"2" * (900 * 1024)
    upload(unit, [(part, "mot.pdf"), (part + b"x", "hai.pdf")])
    answer = upload(unit, [(part + b"y", "ba.pdf")]).get_data(as_text=True)
    assert "vượt giới hạn 2.0 MB một báo cáo" in answer
    assert [a.file_name for a in attachments(session)] == ["mot.pdf", "hai.pdf"]


def test_a_file_within_the_file_limit_but_past_the_request_limit_is_taken(app, login, session):
    """The evidence limits, not the limit of an ordinary request, decide what a unit may attach:
    nothing may read the body before the upload has raised the request's limit."""
    app.config.update(MAX_CONTENT_LENGTH=512 * 1024, EVIDENCE_MAX_FILE_MB=2)
    big = b"%PDF-1.7\n" + b"1" * (1024 * 1024)
    answer = upload(login("stttt"), [(big, "bien-ban.pdf")])
    assert answer.status_code == 200 and "Đã đính kèm 1 tệp" in answer.get_data(as_text=True)
    assert [a.file_name for a in attachments(session)] == ["bien-ban.pdf"]


def test_the_same_content_is_stored_once_and_listed_once(login, session):
    unit = login("stttt")
    upload(unit, [(PDF, "Quyết định.pdf")])
    again = upload(unit, [(PDF, "Quyết định (bản sao).pdf")]).get_data(as_text=True)
    assert "đã có trong báo cáo này" in again
    assert len(attachments(session)) == 1
    upload(login("snv"), [(PDF, "Cùng quyết định.pdf")], url="/tasks/A.I.3/units/snv")  # another report
    assert len(attachments(session)) == 2 and len(session.exec(select(StoredFile)).all()) == 1
    assert len(session.exec(select(FileChunk)).all()) == 1


def test_a_file_sent_with_a_period_stays_with_what_was_sent(login, session):
    reviewer, unit = login("snv-ra-soat"), login("stttt")
    open_period(reviewer, "Quý III/2022", "01/07/2022", "30/09/2022", "05/10/2022")
    save_report(unit, "A.I.3", "stttt", 0, status="in_progress", percent="30", result="Đã ban hành quy trình")
    upload(unit, [(PDF, "Quy trình.pdf")])
    assert unit.post(f"{URL}/submit", {"view": "unit"}, htmx=True).status_code == 200
    pdf = attachments(session)[0]
    removed = unit.post(f"{URL}/files/{pdf.id}/remove", {"view": "task"}, htmx=True).get_data(as_text=True)
    assert "Đã gỡ tệp «Quy trình.pdf»" in removed
    assert attachments(session)[0].removed_at is not None
    assert len(session.exec(select(PeriodAttachment)).all()) == 1  # the period's copy keeps it
    desk = reviewer.get("/review").get_data(as_text=True)
    assert "Quy trình.pdf" in desk  # the reviewer sees what was sent
    assert reviewer.get(f"{URL}/files/{pdf.id}").data == PDF
    history = [(c.old_value, c.new_value) for c in session.exec(
        select(ReportChange).where(ReportChange.field == "evidence_file").order_by(ReportChange.id))]
    assert history[-1][0].startswith("Quy trình.pdf (") and history[-1][1] == "(đã gỡ khỏi báo cáo)"


def test_the_period_reports_and_the_zip_hold_the_evidence(login, session):
    reviewer, unit = login("snv-ra-soat"), login("stttt")
    open_period(reviewer, "Quý III/2022", "01/07/2022", "30/09/2022", "05/10/2022")
    period_id = session.exec(select(Period)).one().id
    save_report(unit, "A.I.3", "stttt", 0, status="in_progress", percent="30", result="Đã ban hành quy trình",
                evidence_number="125/QĐ-STTTT", evidence_date="15/08/2022")
    upload(unit, [(PDF, "Quyết định 125.pdf"), (PNG, "Ảnh quầy.png")])
    upload(unit, [(PDF, "Quyết định 125.pdf")], url="/tasks/A.I.2/units/stttt")  # the same file on another row
    for ref in ("A.I.3", "A.I.2"):
        assert unit.post(f"/tasks/{ref}/units/stttt/submit", {"view": "unit", "blank": "confirmed"},
                         htmx=True).status_code == 200
    session.rollback()
    for copy in session.exec(select(PeriodReport)).all():
        assert reviewer.post(f"/review/reports/{copy.id}/accept", {}, htmx=True).status_code == 200
    document = Document(io.BytesIO(reviewer.get(f"/exports/report.docx?period={period_id}").data))
    cells = [c.text for row in document.tables[1].rows for c in row.cells]
    assert any("Tệp minh chứng: Quyết định 125.pdf; Ảnh quầy.png" in c and "125/QĐ-STTTT" in c for c in cells)
    sheet = load_workbook(io.BytesIO(reviewer.get(f"/exports/report.xlsx?period={period_id}").data))["Báo cáo"]
    assert any("Tệp minh chứng: Quyết định 125.pdf; Ảnh quầy.png" in str(c.value) for row in sheet.iter_rows()
               for c in row)
    answer = reviewer.get(f"/exports/evidence.zip?period={period_id}")
    assert answer.headers["Content-Type"] == "application/zip"
    assert "filename*=UTF-8''Minh%20ch%E1%BB%A9ng" in answer.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    assert sorted(archive.namelist()) == ["Danh-muc-minh-chung.xlsx", "stttt/A.I.2 - Quyết định 125.pdf",
                                          "stttt/A.I.3 - Quyết định 125.pdf", "stttt/A.I.3 - Ảnh quầy.png"]
    assert archive.read("stttt/A.I.3 - Quyết định 125.pdf") == PDF
    index = load_workbook(io.BytesIO(archive.read("Danh-muc-minh-chung.xlsx"))).active
    rows = [[c.value for c in row] for row in index.iter_rows()]
    assert rows[0][:4] == ["Đơn vị", "Nhiệm vụ", "Tệp trong thư mục", "Tên tệp"]
    assert ["Sở Thông tin và Truyền thông", "A.I.3", "stttt/A.I.3 - Ảnh quầy.png", "Ảnh quầy.png"] in [r[:4] for r in rows]
    assert login("stttt").get(f"/exports/evidence.zip?period={period_id}").status_code == 403


def test_the_api_lists_a_reports_files(app, login, session):
    upload(login("stttt"), [(PDF, "Quyết định.pdf")])
    token = issue_token(login("quan-tri"), session, "snv-ra-soat")
    answer = app.test_client().get("/api/v1/plans/1958-qd-ubnd/tasks/A.I.3",
                                   headers={"Authorization": f"Bearer {token}"}).get_json()
    lead = next(a for a in answer["assignments"] if a["unit"] == "stttt")
    (listed,) = lead["files"]
    assert listed["name"] == "Quyết định.pdf" and listed["type"] == "application/pdf" and listed["size"] == len(PDF)
    assert listed["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert f"/tasks/A.I.3/units/stttt/files/{attachments(session)[0].id}?plan=1958-qd-ubnd" in listed["url"]


ROLES = {"lead": "stttt", "support": "snv", "outsider": "cat", "reviewer": "snv-ra-soat", "leader": "lanh-dao",
         "admin": "quan-tri"}


@pytest.mark.parametrize("who", list(ROLES))
def test_the_permission_matrix_of_files(login, session, who):
    """Files follow their report: seen by whoever sees it, changed only by the unit writing it."""
    upload(login("stttt"), [(PDF, "Của đơn vị chủ trì.pdf")])
    upload(login("snv"), [(JPEG, "Của đơn vị phối hợp.jpg")], url="/tasks/A.I.3/units/snv")
    lead_file, support_file = attachments(session)
    client, column = login(ROLES[who]), list(ROLES).index(who)
    matrix = [
        (lambda: client.get(f"{URL}/files/{lead_file.id}"), (200, 200, 404, 200, 200, 200)),
        (lambda: client.get(f"/tasks/A.I.3/units/snv/files/{support_file.id}"), (200, 200, 404, 200, 200, 200)),
        (lambda: client.get(f"{URL}/files/{support_file.id}"), (404, 404, 404, 404, 404, 404)),  # not this report's
        (lambda: upload(client, [(PNG, "Thêm.png")]), (200, 403, 404, 403, 403, 403)),
        (lambda: upload(client, [(PNG, "Thêm.png")], url="/tasks/A.I.3/units/snv"), (403, 200, 404, 403, 403, 403)),
        (lambda: client.get("/exports/evidence.zip"), (403, 403, 403, 404, 404, 404)),  # 404: no period chosen
        (lambda: client.post(f"{URL}/files/{lead_file.id}/remove", {"view": "task"}, htmx=True),
         (200, 403, 404, 403, 403, 403)),
    ]
    for index, (ask, expected) in enumerate(matrix):
        before = [(a.id, a.removed_at) for a in attachments(session)]
        status = ask().status_code
        assert status == expected[column], f"{who}, case {index}: {status}, expected {expected[column]}"
        if status in (403, 404):
            assert [(a.id, a.removed_at) for a in attachments(session)] == before


def test_backup_and_restore_keep_the_files(app, login, tmp_path):
    """Seen through the app only: a restore replaces the database under every open session."""
    unit, reviewer = login("stttt"), login("snv-ra-soat")
    upload(unit, [(PDF, "Giữ qua sao lưu.pdf")])
    link = re.search(r'href="(/tasks/A\.I\.3/units/stttt/files/\d+)"',
                     reviewer.get("/tasks/A.I.3").get_data(as_text=True)).group(1)
    runner = app.test_cli_runner()
    made = runner.invoke(args=["backup", str(tmp_path)])
    assert made.exit_code == 0, made.output
    (backup,) = [p for p in tmp_path.iterdir() if p.is_file()]
    unit.post(f"{link}/remove", {"view": "task"}, htmx=True)
    assert "Giữ qua sao lưu.pdf" not in reviewer.get("/tasks/A.I.3").get_data(as_text=True).split("Lịch sử")[0]
    restored = runner.invoke(args=["restore", str(backup), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "Giữ qua sao lưu.pdf" in login("snv-ra-soat").get("/tasks/A.I.3").get_data(as_text=True).split("Lịch sử")[0]
    assert login("snv-ra-soat").get(link).data == PDF
