"""Each province's own units: a roster imported in two steps (preview, then all or nothing),
exported in the same template, groups by kind; and the unit phrases of its plans read
whole, as a 2025 province (the province, its communes, wards and special zones) writes them."""

import io

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from webapp.models import RosterImport, Unit, UnitGroup, UnitGroupMember, UnitKind
from webapp.services.reading.phrases import PhraseKind, resolve_cell
from webapp.services.roster import RosterError, read_roster_file, resolver_roster

ADMIN = "quan-tri"
HUNG_YEN_2025 = """code,name,kind,parent,aliases,members
hy-ubnd,Ủy ban nhân dân tỉnh Hưng Yên,province,,UBND tỉnh,
hy-snv,Sở Nội vụ,department,,,
hy-snnmt,Sở Nông nghiệp và Môi trường,department,,Sở NN&MT,
hy-svhttdl,"Sở Văn hóa, Thể thao và Du lịch",Sở,,Sở VHTTDL,
hy-skhcn,Sở Khoa học và Công nghệ,department,,Sở KH&CN,
hy-bqlkcn,Ban Quản lý các khu công nghệ cao và khu công nghiệp tỉnh,department,,,
hy-lhh,Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh,organization,,,
hy-ca,Công an tỉnh,central,,,
hy-pho-hien,UBND phường Phố Hiến,phường,,,
hy-phung-cong,UBND xã Phụng Công,xã,,,
hy-sbn,"Các sở, ngành",group,,"Sở, ban, ngành; các sở, ban, ngành tỉnh",kind:department
hy-xa,"UBND các xã, phường",group,,"UBND cấp xã; Ủy ban nhân dân các xã, phường, đặc khu",kind:commune
"""


@pytest.fixture
def hung_yen():
    return resolver_roster(read_roster_file("hung-yen.csv", HUNG_YEN_2025.encode()))


def named(phrases) -> list[tuple[str, str | None]]:
    return [(p.kind.value, p.code or p.text) for p in phrases]


# --- unit phrases, read whole ------------------------------------------------------------------

@pytest.mark.parametrize(("cell", "expected"), [
    ("Sở Nông nghiệp và Môi trường", [("unit", "hy-snnmt")]),
    ("Sở Văn hóa, Thể thao và Du lịch; Sở Nội vụ", [("unit", "hy-svhttdl"), ("unit", "hy-snv")]),
    ("Ban Quản lý các khu công nghệ cao và khu công nghiệp tỉnh", [("unit", "hy-bqlkcn")]),
    ("Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh và các đơn vị có liên quan", [("unit", "hy-lhh"), ("related", None)]),
    ("Sở NN&MT, Sở KH&CN", [("unit", "hy-snnmt"), ("unit", "hy-skhcn")]),
    ("Cơ quan, địa phương liên quan", [("related", None)]),
    ("Các sở, ngành; UBND các xã, phường", [("group", "hy-sbn"), ("group", "hy-xa")]),
    ("Ủy ban nhân dân các xã, phường, đặc khu", [("group", "hy-xa")]),
    # Huế's plan 188/KH-UBND: communes after a shared head, joined by «và»; a bare «doanh nghiệp».
    ("UBND các Xã: Phụng Công và Phố Hiến", [("unit", "hy-phung-cong"), ("unknown", "UBND Xã Phố Hiến")]),
    ("Sở Nội vụ; doanh nghiệp", [("unit", "hy-snv"), ("related", None)]),
])
def test_whole_names_are_read_before_any_splitting(hung_yen, cell, expected):
    phrases = resolve_cell(cell, hung_yen)
    assert [(k, c if k != "related" else None) for k, c in named(phrases)] == expected


def test_a_near_match_never_takes_part_of_a_longer_name(hung_yen):
    # «Công an Thành phố» is no typo of «Công an tỉnh» followed by «phố».
    [phrase] = resolve_cell("Công an Thành phố", hung_yen)
    assert phrase.kind == PhraseKind.UNKNOWN and phrase.text == "Công an Thành phố"


def test_unknown_names_with_va_stay_whole_and_lists_are_cut_before_each_name(hung_yen):
    phrases = resolve_cell("Sở Xây dựng và Giao thông, Trung tâm Dữ liệu và Chuyển đổi số, Sở Nội vụ", hung_yen)
    assert named(phrases) == [("unknown", "Sở Xây dựng và Giao thông"),
                              ("unknown", "Trung tâm Dữ liệu và Chuyển đổi số"), ("unit", "hy-snv")]


def test_communes_answer_for_themselves_in_a_two_level_province(hung_yen):
    [phrase] = resolve_cell("UBND cấp xã", hung_yen)
    assert set(phrase.units) == {"hy-pho-hien", "hy-phung-cong"} and "trả lời thay" not in phrase.note


# --- the roster file ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ("code,name\nx,y\n", "Không tìm thấy dòng tiêu đề của danh sách đơn vị"),
    ("code,name,kind\nSở Nội vụ,Sở Nội vụ,department\n", "dòng 2: mã «Sở Nội vụ» phải gồm chữ thường"),
    ("code,name,kind\nsnv,Sở Nội vụ,bộ phận\n", "dòng 2: loại «bộ phận» của «snv» không có"),
    ("code,name,kind,parent\nxa-a,UBND xã A,commune,huyen-b\n", "đơn vị cấp trên «huyen-b» không có trong danh sách"),
    ("code,name,kind,members\nnhom-a,Nhóm,group,kind:tinh-thanh\n", "loại «tinh-thanh» không có"),
    ("code,name,kind\nsnv,Sở Nội vụ,department\nsnv,Sở Nội vụ,department\n", "mã «snv» xuất hiện nhiều lần"),
])
def test_a_bad_roster_is_refused_with_the_row_and_what_to_fix(text, message):
    with pytest.raises(RosterError, match=message):
        read_roster_file("r.csv", text.encode())


def test_a_roster_is_imported_in_two_steps_and_all_or_nothing(login, session):
    admin = login(ADMIN)
    response = admin.client.post("/admin/roster", data={"csrf_token": admin.token, "file": (
        io.BytesIO(HUNG_YEN_2025.encode()), "hung-yen.csv")}, content_type="multipart/form-data")
    assert response.status_code == 303
    preview = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "12 thêm mới" in preview and "Sở Nông nghiệp và Môi trường" in preview
    assert "snv · Sở Nội vụ" in preview  # Thái Bình's units stay, listed as untouched
    session.rollback()
    assert session.exec(select(Unit).where(Unit.code == "hy-snv")).first() is None  # a preview writes nothing
    done = admin.post(response.headers["Location"], {})
    assert done.status_code == 303
    session.rollback()
    units = {u.code: u for u in session.exec(select(Unit))}
    assert units["hy-pho-hien"].kind == UnitKind.COMMUNE and units["hy-svhttdl"].kind == UnitKind.DEPARTMENT
    group = session.exec(select(UnitGroup).where(UnitGroup.code == "hy-xa")).one()
    assert group.member_kinds == "commune"
    assert session.exec(select(RosterImport)).one().committed_at is not None
    assert admin.post(response.headers["Location"], {}).status_code == 404  # committed once


def test_the_roster_exports_in_the_template_it_imports_from(login, runner, tmp_path):
    data = login(ADMIN).get("/admin/roster.xlsx").data
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == ["code", "name", "kind", "parent", "aliases", "members"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["sbn"][2] == "group" and "kind:department" in rows["sbn"][5]
    assert rows["ubnd-xa"][5].endswith("stand_in:ubnd-huyen")
    exported = tmp_path / "roster.csv"
    assert runner.invoke(args=["export-roster", "-o", str(exported)]).exit_code == 0
    again = read_roster_file("roster.csv", exported.read_bytes())
    assert len(again.units) == 35 and len(again.groups) == 5
    result = runner.invoke(args=["import-roster", str(exported)])
    assert result.exit_code == 0 and "không có thay đổi" in result.output, result.output


def test_the_import_command_refuses_a_bad_roster_and_writes_nothing(runner, tmp_path, session):
    bad = tmp_path / "r.csv"
    bad.write_text("code,name,kind\nsnv,Sở Nội vụ,department\nx!,Sai,department\n", encoding="utf-8")
    before = len(session.exec(select(Unit)).all())
    result = runner.invoke(args=["import-roster", str(bad)])
    assert result.exit_code != 0 and "dòng 3" in result.output
    session.rollback()
    assert len(session.exec(select(Unit)).all()) == before


def test_a_group_takes_every_unit_of_its_kinds_added_later_too(login, session):
    admin = login(ADMIN)
    group = session.exec(select(UnitGroup).where(UnitGroup.code == "ubnd-xa")).one()
    admin.post(f"/admin/groups/{group.code}", {"kind": ["commune"]})
    admin.post("/admin/units", {"code": "xa-dong-ha", "name": "UBND xã Đông Hà", "short_name": "", "kind": "commune",
                                "parent": "", "aliases": ""})
    from webapp.services.roster import roster_from_db

    session.rollback()
    [phrase] = resolve_cell("UBND cấp xã", roster_from_db(session))
    assert phrase.units == ("xa-dong-ha",) and not session.exec(
        select(UnitGroupMember).where(UnitGroupMember.group_id == group.id)).all()
