"""Files the reviewer sends with a return comment: checked as evidence is, one transaction with
the return, seen beside the comment by whoever sees the report, in the report's history."""

import hashlib
import re

import pytest
from sqlmodel import select

from webapp.models import PeriodReport, ReportChange, ReviewAttachment, ReviewState, StoredFile, Task, User

from .factories import open_period, save_report
from .test_evidence import JPEG, PDF, URL, docx_bytes, post_files

COMMENT = "Bổ sung số liệu theo mẫu gửi kèm"
LINK = re.compile(r'href="(/tasks/A\.I\.3/units/stttt/review-files/\d+)[^"]*"')


def send_back(client, copy_id: int, files: list[tuple[bytes, str]], comment: str = COMMENT, htmx: bool = True,
              action: str = "return"):
    """The queue row's «Trả lại» form, with files."""
    return post_files(client, f"/review/reports/{copy_id}/{action}", files, {"comment": comment}, htmx)


def send(client, ref: str, session) -> int:
    assert client.post(f"/tasks/{ref}/units/stttt/submit", {"view": "unit", "blank": "confirmed"},
                       htmx=True).status_code == 200
    session.rollback()
    return session.exec(select(PeriodReport.id).join(Task, PeriodReport.task_id == Task.id)
                        .where(Task.ref == ref)).one()


@pytest.fixture
def sent(login, session):
    """A.I.3 sent by its lead (stttt) for an open quarter; the reviewer and the unit signed in."""
    reviewer, unit = login("snv-ra-soat"), login("stttt")
    open_period(reviewer, "Quý III/2022", "01/07/2022", "30/09/2022", "05/10/2022")
    save_report(unit, "A.I.3", "stttt", 0, status="in_progress", percent="30", result="Đã ban hành quy trình")
    return reviewer, unit, send(unit, "A.I.3", session)


def copy_of(session, copy_id: int) -> PeriodReport:
    session.rollback()
    return session.get(PeriodReport, copy_id)


def review_files(session) -> list[ReviewAttachment]:
    session.rollback()
    return session.exec(select(ReviewAttachment).order_by(ReviewAttachment.id)).all()


def test_a_return_takes_files_that_the_unit_sees_beside_the_comment(login, session, sent):
    reviewer, unit, copy_id = sent
    answer = send_back(reviewer, copy_id, [(PDF, "Bản góp ý có đánh dấu.pdf"), (docx_bytes(), "Mẫu báo cáo.docx")])
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in body  # the queue row, in place
    assert "Bị trả lại" in body and COMMENT in body and "Bản góp ý có đánh dấu.pdf" in body
    copy = copy_of(session, copy_id)
    assert copy.state == ReviewState.RETURNED
    assert [(f.file_name, f.reviewed_at) for f in review_files(session)] == [
        ("Bản góp ý có đánh dấu.pdf", copy.reviewed_at), ("Mẫu báo cáo.docx", copy.reviewed_at)]
    # The unit's home, its row and the form it corrects the report in show them beside the comment.
    home = unit.get("/my").get_data(as_text=True)
    assert COMMENT in home and "Mẫu báo cáo.docx" in home
    row = unit.get(URL, htmx=True).get_data(as_text=True)
    assert len(LINK.findall(row)) == 2
    form = unit.get(f"{URL}/edit", htmx=True).get_data(as_text=True)
    returned = form.split('returned-comment">')[1].split("</div>")[0]
    assert COMMENT in returned and "Bản góp ý có đánh dấu.pdf" in returned
    assert "Mẫu báo cáo.docx" in reviewer.get("/review/units/stttt").get_data(as_text=True)
    assert "Bản góp ý có đánh dấu.pdf" in reviewer.get("/review?state=returned").get_data(as_text=True)


def test_the_unit_downloads_them_as_any_file_and_another_unit_does_not_find_them(login, sent):
    reviewer, unit, copy_id = sent
    send_back(reviewer, copy_id, [(PDF, "Bản góp ý.pdf"), (docx_bytes(), "Mẫu báo cáo.docx")])
    pdf, docx = LINK.findall(unit.get(URL, htmx=True).get_data(as_text=True))
    got = unit.get(pdf)
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("inline;")
    assert "filename*=UTF-8''B%E1%BA%A3n%20g%C3%B3p%20%C3%BD.pdf" in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Security-Policy"].startswith("sandbox")
    assert unit.get(docx).headers["Content-Disposition"].startswith("attachment;")
    assert login("cat").get(pdf).status_code == 404  # not on A.I.3
    # Through another unit's report on the row, the file is not found.
    assert login("snv").get(pdf.replace("/units/stttt/", "/units/snv/")).status_code == 404


def test_a_return_without_javascript_takes_files_too(login, session, sent):
    reviewer, _, copy_id = sent
    answer = send_back(reviewer, copy_id, [(PDF, "Bản góp ý.pdf")], htmx=False)
    assert answer.status_code == 303
    assert "Đã trả lại 1 báo cáo kèm 1 tệp." in reviewer.get(answer.headers["Location"]).get_data(as_text=True)
    assert copy_of(session, copy_id).state == ReviewState.RETURNED and len(review_files(session)) == 1


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PROGRAM = b"MZ\x90\x00" + b"\x00" * 200


@pytest.mark.parametrize(("files", "message"), [
    ([(PDF, "Bản góp ý.pdf"), (SVG, "so-do.svg")], "không phải là loại được nhận"),
    ([(PROGRAM, "Mẫu báo cáo.pdf")], "không phải là loại được nhận"),
    ([(b"", "trong.pdf")], "rỗng"),
    ([(PDF, "a/b.pdf")], "ký tự không được phép"),
    ([(PDF, "Bản góp ý.pdf"), (PDF, "Bản góp ý (2).pdf")], "cùng nội dung với «Bản góp ý.pdf»"),
])
def test_a_bad_file_refuses_the_return_and_changes_nothing(session, sent, files, message):
    reviewer, _, copy_id = sent
    changes = len(session.exec(select(ReportChange)).all())
    body = send_back(reviewer, copy_id, files).get_data(as_text=True)
    assert message in body
    assert f">{COMMENT}</textarea>" in body  # the comment typed stays in its box
    assert copy_of(session, copy_id).state == ReviewState.SUBMITTED
    assert review_files(session) == [] and session.exec(select(StoredFile)).all() == []
    assert len(session.exec(select(ReportChange)).all()) == changes


def test_a_return_keeps_to_the_evidence_size_limits(app, session, sent):
    app.config.update(EVIDENCE_MAX_FILE_MB=1)
    reviewer, _, copy_id = sent
    big = b"%PDF-1.7\n" + b"1" * (1024 * 1024 + 10)
    assert "vượt giới hạn 1.0 MB một tệp" in send_back(reviewer, copy_id, [(big, "lon.pdf")]).get_data(as_text=True)
    assert copy_of(session, copy_id).state == ReviewState.SUBMITTED and review_files(session) == []


def test_files_go_with_a_return_only(session, sent):
    reviewer, _, copy_id = sent
    body = send_back(reviewer, copy_id, [(PDF, "Bản góp ý.pdf")], comment="", action="accept").get_data(as_text=True)
    assert "Tệp chỉ gửi kèm nhận xét khi trả lại báo cáo." in body
    assert copy_of(session, copy_id).state == ReviewState.SUBMITTED and review_files(session) == []


def test_a_selection_is_returned_with_its_comment_only(session, sent):
    reviewer, _, copy_id = sent
    answer = post_files(reviewer, "/review/reports", [(PDF, "Bản góp ý.pdf")],
                        {"action": "return", "copy": str(copy_id), "comment": COMMENT})
    assert "Bị trả lại" in answer.get_data(as_text=True)
    assert copy_of(session, copy_id).review_comment == COMMENT and review_files(session) == []


def test_the_files_are_in_the_reports_history(login, session, sent):
    reviewer, _, copy_id = sent
    send_back(reviewer, copy_id, [(PDF, "Bản góp ý.pdf")])
    copy = copy_of(session, copy_id)
    (change,) = session.exec(select(ReportChange).where(ReportChange.field == "review_file")).all()
    assert change.changed_by_id == session.exec(select(User.id).where(User.username == "snv-ra-soat")).one()
    assert change.changed_at == copy.reviewed_at and change.period_id == copy.period_id
    assert change.new_value == f"Bản góp ý.pdf (3 KB, SHA-256 {hashlib.sha256(PDF).hexdigest()[:12]}…)"
    history = login("stttt").get("/tasks/A.I.3").get_data(as_text=True).split("Lịch sử")[1]
    assert "«Tệp gửi kèm nhận xét»" in history and "Bản góp ý.pdf (" in history


def test_a_new_submission_leaves_the_files_with_the_review_they_came_with(login, session, sent):
    reviewer, unit, copy_id = sent
    send_back(reviewer, copy_id, [(PDF, "Bản góp ý lần 1.pdf")])
    (first,) = LINK.findall(unit.get(URL, htmx=True).get_data(as_text=True))
    save_report(unit, "A.I.3", "stttt", 1, status="in_progress", percent="50", result="Đã bổ sung số liệu")
    send(unit, "A.I.3", session)
    assert "Bản góp ý lần 1.pdf" not in unit.get(URL, htmx=True).get_data(as_text=True)
    send_back(reviewer, copy_id, [(JPEG, "Ảnh chụp mẫu.jpg")], comment="Còn thiếu số liệu quý")
    row = unit.get(URL, htmx=True).get_data(as_text=True)
    assert "Ảnh chụp mẫu.jpg" in row and "Bản góp ý lần 1.pdf" not in row
    assert unit.get(first).data == PDF  # still there, as the history says


ROLES = {"lead": "stttt", "support": "snv", "outsider": "cat", "reviewer": "snv-ra-soat", "leader": "lanh-dao",
         "admin": "quan-tri"}


@pytest.mark.parametrize("who", list(ROLES))
def test_the_permission_matrix_of_review_files(login, session, sent, who):
    """Seen by whoever sees the report; sent by the reviewer only."""
    reviewer, unit, copy_id = sent
    send_back(reviewer, copy_id, [(PDF, "Bản góp ý.pdf")])
    (link,) = LINK.findall(unit.get(URL, htmx=True).get_data(as_text=True))
    other = send(unit, "A.I.2", session)  # waiting for review
    client, column = login(ROLES[who]), list(ROLES).index(who)
    matrix = [
        (lambda: client.get(link), (200, 200, 404, 200, 200, 200)),
        (lambda: client.get(link.replace("/units/stttt/", "/units/snv/")), (404, 404, 404, 404, 404, 404)),
        (lambda: client.get(link.replace("/A.I.3/", "/A.I.2/")), (404, 404, 404, 404, 404, 404)),
        (lambda: client.get(f"{URL}/review-files/999999"), (404, 404, 404, 404, 404, 404)),
        (lambda: send_back(client, other, [(PDF, "Thêm.pdf")]), (403, 403, 403, 200, 403, 403)),
        (lambda: send_back(client, other, [(PDF, "Thêm.pdf")], htmx=False), (403, 403, 403, 303, 403, 403)),
    ]
    for index, (ask, expected) in enumerate(matrix):
        before = [(f.id, f.period_report_id) for f in review_files(session)], copy_of(session, other).state
        status = ask().status_code
        assert status == expected[column], f"{who}, case {index}: {status}, expected {expected[column]}"
        if status in (403, 404):
            assert ([(f.id, f.period_report_id) for f in review_files(session)],
                    copy_of(session, other).state) == before
        if index == 4 and status == 200:
            assert copy_of(session, other).state == ReviewState.RETURNED  # then nothing is left to return


def test_backup_and_restore_keep_the_reviewers_files(app, login, session, sent, tmp_path):
    reviewer, unit, copy_id = sent
    send_back(reviewer, copy_id, [(PDF, "Giữ qua sao lưu.pdf")])
    (link,) = LINK.findall(unit.get(URL, htmx=True).get_data(as_text=True))
    runner = app.test_cli_runner()
    made = runner.invoke(args=["backup", str(tmp_path)])
    assert made.exit_code == 0, made.output
    (backup,) = [p for p in tmp_path.iterdir() if p.is_file()]
    send(unit, "A.I.3", session)  # sent again: the review and its files leave the row
    assert "Giữ qua sao lưu.pdf" not in unit.get(URL, htmx=True).get_data(as_text=True)
    session.close()
    restored = runner.invoke(args=["restore", str(backup), "--yes"])
    assert restored.exit_code == 0, restored.output
    unit = login("stttt")
    assert "Giữ qua sao lưu.pdf" in unit.get(URL, htmx=True).get_data(as_text=True)
    assert unit.get(link).data == PDF
