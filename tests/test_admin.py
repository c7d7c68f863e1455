"""Administration from the browser: accounts, units, groups, merging, and its permissions."""

import html
import re

import pytest
from sqlmodel import select

from webapp.models import (
    Assignment,
    PeriodReport,
    Report,
    ReportChange,
    Role,
    Task,
    Unit,
    UnitGroup,
    User,
)

from .factories import UserClient, open_period, save_report

ADMIN = "quan-tri"
ADMIN_PAGES = ["/admin", "/admin/users", "/admin/users/1", "/admin/units", "/admin/units/snv", "/admin/groups/sbn",
               "/admin/plans"]


@pytest.mark.parametrize("who", ["stttt", "snv-ra-soat", "lanh-dao"])
def test_only_administrators_reach_administration(login, session, who):
    client = login(who)
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 403, url
    before = len(session.exec(select(User)).all())
    assert client.post("/admin/users", {"username": "x", "password": "mat-khau-dai", "role": "leader",
                                        "unit": ""}).status_code == 403
    assert client.post("/admin/units/hungha/merge", {"merge-target": "vuthu", "merge-confirm": "y"}).status_code == 403
    session.rollback()
    assert len(session.exec(select(User)).all()) == before
    assert session.exec(select(Unit).where(Unit.code == "hungha")).one().active


def test_an_administrator_reaches_every_page(login):
    client = login(ADMIN)
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 200, url


def test_accounts_for_two_new_units(login, app, session):
    admin = login(ADMIN)
    for code, name in (("bqlda", "Ban Quản lý dự án đầu tư xây dựng tỉnh"), ("tttt", "Trung tâm Thông tin tỉnh")):
        response = admin.post("/admin/units", {"code": code, "name": name, "short_name": "", "kind": "office",
                                               "parent": "vpubnd", "aliases": ""})
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        response = admin.post("/admin/users", {"username": f"dau-moi-{code}", "full_name": "Nguyễn Văn A",
                                               "role": "unit", "unit": code, "email": f"{code}@thaibinh.gov.vn",
                                               "password": "Mat-khau-2026"})
        assert response.status_code == 303
    second = admin.post("/admin/users", {"username": "dau-moi-bqlda-2", "full_name": "Trần Thị B", "role": "unit",
                                         "unit": "bqlda", "email": "", "password": "Mat-khau-2026"})
    assert second.status_code == 303  # several accounts for one unit
    for username in ("dau-moi-bqlda", "dau-moi-bqlda-2"):
        client = login(username, "Mat-khau-2026")
        # The administrator has seen the initial password: its owner replaces it first.
        assert client.get("/my").headers["Location"] == "/account/password"
        assert client.post("/account/password", {"current": "Mat-khau-2026", "new": "Mat-khau-rieng-1",
                                                  "repeat": "Mat-khau-rieng-1"}).status_code == 303
        client.forget_token()
        assert client.get("/my").status_code == 200
    session.rollback()
    unit = session.exec(select(Unit).where(Unit.code == "tttt")).one()
    assert unit.parent_id == session.exec(select(Unit).where(Unit.code == "vpubnd")).one().id


@pytest.mark.parametrize(("password", "message"), [
    ("ngan", "ít nhất 8 ký tự"),
    ("12345678", "quá dễ đoán"),
    ("aaaaaaaaaa", "quá dễ đoán"),
    ("x-nguyen-van-a-1", "không được chứa tên đăng nhập"),
])
def test_the_password_policy(login, password, message):
    page = login(ADMIN).post("/admin/users", {"username": "nguyen-van-a", "full_name": "", "role": "leader",
                                              "unit": "", "email": "", "password": password})
    assert message in page.get_data(as_text=True)


def test_a_deactivated_user_cannot_log_in_and_keeps_its_history(login, session, app):
    stttt = login("stttt")
    save_report(stttt, "B.8.1", "stttt", 0, status="in_progress", percent="30")
    admin = login(ADMIN)
    user = session.exec(select(User).where(User.username == "stttt")).one()
    searched = admin.get("/admin/users?q=stttt").get_data(as_text=True)
    action = re.search(rf'action="(/admin/users/{user.id}/active[^"]*)"', searched)[1]
    done = admin.post(html.unescape(action), {})
    assert done.status_code == 303 and done.headers["Location"] == "/admin/users?q=stttt#accounts"  # as searched
    assert stttt.get("/my").status_code == 303  # the open session ended
    fresh = UserClient(app.test_client())
    refused = fresh.post("/login", {"username": "stttt", "password": "demo-1958"})
    assert refused.status_code == 401
    history = login("lanh-dao").get("/tasks/B.8.1").get_data(as_text=True)
    assert "Đầu mối Sở Thông tin và Truyền thông" in history  # the change is still theirs
    admin.post(f"/admin/users/{user.id}/active", {})
    assert login("stttt").get("/my").status_code == 200


def test_a_reset_password_must_be_changed_at_the_next_login(login, session, app):
    admin = login(ADMIN)
    user = session.exec(select(User).where(User.username == "snv")).one()
    page = admin.post(f"/admin/users/{user.id}/reset-password", {}, follow_redirects=True).get_data(as_text=True)
    import re

    temporary = re.search(r"Mật khẩu tạm của «snv»: ([0-9a-f-]+)", page).group(1)
    client = login("snv", temporary)
    assert client.get("/my").headers["Location"] == "/account/password"
    asked = client.get("/account/password").get_data(as_text=True)  # says why, once
    assert asked.count("mật khẩu tạm") == 1 and "vừa được đặt lại" not in asked
    wrong = client.post("/account/password", {"current": "sai", "new": "Mat-khau-moi-1", "repeat": "Mat-khau-moi-1"})
    assert "Mật khẩu hiện tại không đúng." in wrong.get_data(as_text=True)
    mismatch = client.post("/account/password", {"current": temporary, "new": "Mat-khau-moi-1", "repeat": "khac"})
    assert "Hai lần nhập mật khẩu mới không khớp." in mismatch.get_data(as_text=True)
    assert client.post("/account/password", {"current": temporary, "new": "Mat-khau-moi-1",
                                              "repeat": "Mat-khau-moi-1"}).status_code == 303
    client.forget_token()
    assert client.get("/my").status_code == 200
    assert login("snv", "Mat-khau-moi-1").get("/my").status_code == 200


def test_units_are_renamed_moved_and_deactivated(login, session):
    admin = login(ADMIN)
    response = admin.post("/admin/units/sct", {"code": "sct", "name": "Sở Công Thương tỉnh Thái Bình",
                                               "short_name": "SCT", "kind": "department", "parent": "",
                                               "aliases": "Sở Công thương"})
    assert response.status_code == 303
    assert admin.post("/admin/units/sct/active", {}).status_code == 303
    session.rollback()
    sct = session.exec(select(Unit).where(Unit.code == "sct")).one()
    assert (sct.name, sct.active, sct.aliases) == ("Sở Công Thương tỉnh Thái Bình", False, "Sở Công thương")
    bad = admin.post("/admin/units", {"code": "Sở X", "name": "X", "kind": "department", "parent": "", "aliases": ""})
    assert "Mã đơn vị gồm chữ thường không dấu" in bad.get_data(as_text=True)


@pytest.mark.parametrize(("code", "name", "aliases", "owner"), [
    ("snv2", "Sở Nội vụ", "", "Sở Nội vụ"),  # the same name as a unit in use
    ("sdl", "Sở Du lịch", "SỞ NỘI VỤ", "Sở Nội vụ"),  # a spelling that is another's name, whatever its capitals
    ("vp-ubnd", "Văn phòng Ủy ban nhân dân tỉnh", "", "Văn phòng UBND tỉnh"),  # another's other spelling
    ("sdl", "Sở Du lịch", "Các sở, ban, ngành", "nhóm Sở, ban, ngành"),  # a group's
])
def test_a_name_or_spelling_another_unit_answers_to_is_refused(login, session, code, name, aliases, owner):
    """A plan's cells are read by these names: two units answering to one would make the reading
    a matter of chance. The unit's own names may stay as they are when it is edited."""
    admin = login(ADMIN)
    refused = admin.post("/admin/units", {"code": code, "name": name, "kind": "department", "parent": "",
                                          "aliases": aliases}).get_data(as_text=True)
    assert f"đã là tên hoặc cách viết khác của «{owner}»" in refused
    session.rollback()
    assert session.exec(select(Unit).where(Unit.code == code)).first() is None
    kept = admin.post("/admin/units/snv", {"code": "snv", "name": "Sở Nội vụ", "short_name": "SNV",
                                           "kind": "department", "parent": "", "aliases": "Sở Nội vụ tỉnh Thái Bình"})
    assert kept.status_code == 303


def test_group_membership_is_edited(login, session):
    admin = login(ADMIN)
    group = session.exec(select(UnitGroup).where(UnitGroup.code == "sbn")).one()
    keep = [u.id for u in session.exec(select(Unit).where(Unit.kind == "department")) if u.code != "sngv"]
    response = admin.client.post("/admin/groups/sbn", data={"member": [str(i) for i in keep],
                                                            "csrf_token": admin.token})
    assert response.status_code == 303
    from webapp.models import UnitGroupMember

    session.rollback()
    members = set(session.exec(select(UnitGroupMember.unit_id).where(UnitGroupMember.group_id == group.id)).all())
    assert members == set(keep)


def test_merging_a_district_moves_its_rows_and_open_reports_and_keeps_its_past(login, session, monkeypatch):
    from datetime import date

    from webapp.services import clock

    monkeypatch.setattr(clock, "today", lambda: date(2022, 9, 20))
    reviewer = login("snv-ra-soat")
    hungha = login("hungha")
    open_period(reviewer, "Quý III/2022", "01/07/2022", "30/09/2022", "05/10/2022")
    save_report(hungha, "A.II.1", "hungha", 0, status="in_progress", percent="40", result="Số hóa 40% kết quả")
    hungha.post("/tasks/A.II.1/units/hungha/submit", {})
    session.rollback()
    closed_copy = session.exec(select(PeriodReport)).one()
    reviewer.post(f"/review/reports/{closed_copy.id}/accept", {"comment": ""})
    reviewer.post(f"/review/periods/{closed_copy.period_id}/close", {"confirmed": "yes"})
    open_period(reviewer, "Quý IV/2022", "01/10/2022", "31/12/2022", "05/01/2023")
    save_report(hungha, "A.II.1", "hungha", 1, status="in_progress", percent="60", result="Số hóa 60% kết quả")
    hungha.post("/tasks/A.II.1/units/hungha/submit", {})

    admin = login(ADMIN)
    page = admin.get("/admin/units/hungha").get_data(as_text=True)
    first_choice = re.search(r'name="merge-target"[^>]*>\s*<option ([^>]*)>([^<]*)</option>', page)
    assert first_choice[2] == "— Chọn đơn vị nhận —" and 'value=""' in first_choice[1]  # none until chosen
    unchosen = admin.post("/admin/units/hungha/merge", {"merge-target": "", "merge-confirm": "y"}, follow_redirects=True)
    assert "Hãy chọn đơn vị nhận." in unchosen.get_data(as_text=True)
    response = admin.post("/admin/units/hungha/merge", {"merge-target": "vuthu", "merge-confirm": "y"},
                          follow_redirects=True)
    assert "Đã sáp nhập «UBND huyện Hưng Hà» vào «UBND huyện Vũ Thư»" in response.get_data(as_text=True)

    session.rollback()
    units = {u.code: u for u in session.exec(select(Unit))}
    hungha_unit, vuthu = units["hungha"], units["vuthu"]
    assert not hungha_unit.active and hungha_unit.merged_into_id == vuthu.id
    assert not session.exec(select(Assignment).where(Assignment.unit_id == hungha_unit.id)).all()
    task = session.exec(select(Task).where(Task.ref == "A.II.1")).one()
    assert session.exec(select(Assignment).where(Assignment.task_id == task.id,
                                                 Assignment.unit_id == vuthu.id)).one().role == Role.LEAD
    copies = session.exec(select(PeriodReport).where(PeriodReport.task_id == task.id)).all()
    closed = {c.unit_id: c for c in copies if c.period_id == closed_copy.period_id}
    open_ = {c.unit_id: c for c in copies if c.period_id != closed_copy.period_id}
    assert closed[hungha_unit.id].percent == 40  # the past stays under the old name
    assert hungha_unit.id not in open_ and open_[vuthu.id].percent == 60  # the open report moved
    vuthu_report = session.exec(select(Report).where(Report.task_id == task.id, Report.unit_id == vuthu.id)).one()
    assert vuthu_report.result == "Số hóa 60% kết quả"
    old = session.exec(select(Report).where(Report.task_id == task.id, Report.unit_id == hungha_unit.id)).one()
    assert session.exec(select(ReportChange).where(ReportChange.report_id == old.id)).all()
    page = login("lanh-dao").get("/tasks/A.II.1").get_data(as_text=True)
    assert "báo cáo của Hưng Hà ·" in page  # its history, under its own name
    its_page = login("lanh-dao").get("/review/units/hungha").get_data(as_text=True)
    assert "Đơn vị đã sáp nhập vào" in its_page and 'href="/review/units/vuthu"' in its_page
    assert "Không có nhiệm vụ nào." in its_page and "khớp với bộ lọc" not in its_page
    # The district's account now works for the merged district.
    assert 'id="report-1958-qd-ubnd-A.II.1-vuthu"' in login("hungha").get("/my").get_data(as_text=True)


def test_a_plan_imported_after_a_merge_names_the_unit_that_carries_on(login, session):
    """A new plan still written with the old name of a merged unit names the unit it was
    merged into; a unit deactivated without a merge names no one, and the phrase is asked for."""
    from webapp.services.reading.phrases import PhraseKind, resolve_cell
    from webapp.services.roster import roster_from_db

    admin = login(ADMIN)
    admin.post("/admin/units/hungha/merge", {"merge-target": "vuthu", "merge-confirm": "y"})
    admin.post("/admin/units/cat/active", {})  # turned off
    session.rollback()
    assert not session.exec(select(Unit).where(Unit.code == "cat")).one().active
    roster = roster_from_db(session)
    [merged] = resolve_cell("UBND huyện Hưng Hà", roster)
    assert (merged.kind, merged.code) == (PhraseKind.UNIT, "vuthu")
    [gone] = resolve_cell("Công an tỉnh", roster)
    assert gone.kind == PhraseKind.UNKNOWN
    [carries_on] = resolve_cell("UBND huyện Vũ Thư", roster)
    assert carries_on.code == "vuthu"
    # The old name stays the unit it was merged into's: no new unit takes it; that unit may write it.
    taken = admin.post("/admin/units", {"code": "hungha-moi", "name": "UBND huyện Hưng Hà", "kind": "district",
                                        "parent": "", "aliases": ""}).get_data(as_text=True)
    assert "đã là tên hoặc cách viết khác của «UBND huyện Hưng Hà (đã sáp nhập)»" in taken
    assert admin.post("/admin/units/vuthu", {"code": "vuthu", "name": "UBND huyện Vũ Thư", "short_name": "",
                                             "kind": "district", "parent": "",
                                             "aliases": "UBND huyện Hưng Hà"}).status_code == 303


def test_the_overview_follows_a_unit_renamed_or_merged(login):
    leader = login("lanh-dao")
    before = leader.get("/tasks?q=B.5.2").get_data(as_text=True)
    assert "Cục thuế tỉnh" in before
    login(ADMIN).post("/admin/units/cucthue", {"code": "cucthue", "name": "Thuế tỉnh Thái Bình", "short_name": "Thuế",
                                               "kind": "central", "parent": "", "aliases": "Cục thuế tỉnh"})
    after = leader.get("/tasks?q=B.5.2").get_data(as_text=True)
    assert "Thuế tỉnh Thái Bình" in after
