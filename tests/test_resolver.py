"""The resolver's rules (DESIGN.md, "Rules the plan implies"), each by name."""

import pytest

from webapp.services.reading.phrases import (
    PhraseKind,
    Roster,
    RosterGroup,
    RosterUnit,
    resolve_cell,
    resolve_row,
)

DEPARTMENTS = {"vpubnd", "snv", "stp", "skhdt", "stc", "sct", "snnptnt", "sgtvt", "sxd", "stnmt", "stttt", "sldtbxh",
               "svhttdl", "skhcn", "sgddt", "syt", "sngv", "ttt", "bqlkkt"}
DISTRICTS = {"tpthaibinh", "donghung", "hungha", "kienxuong", "quynhphu", "thaithuy", "tienhai", "vuthu"}


def roles(resolution) -> tuple[set[str], set[str]]:
    leads = {a.unit for a in resolution.assignments if a.role == "lead"}
    supports = {a.unit for a in resolution.assignments if a.role == "support"}
    return leads, supports


def test_group_phrases_expand_to_their_members(roster_1958):
    # A.I.1: "Sở, ban, ngành; …; UBND cấp huyện" stands for every department and district.
    leads, supports = roles(resolve_row(
        "Sở Nội vụ",
        "Sở, ban, ngành; Công an tỉnh, Bảo hiểm xã hội tỉnh, Cục thuế tỉnh; UBND cấp huyện",
        roster_1958,
    ))
    assert leads == {"snv"}
    assert supports == (DEPARTMENTS - {"snv"}) | {"cat", "bhxh", "cucthue"} | DISTRICTS


def test_unit_named_explicitly_keeps_the_role_it_is_named_with(roster_1958):
    # A.I.6: the departments lead through the group, but STTTT and VP UBND are named as supporters.
    leads, supports = roles(resolve_row(
        "Sở, ban, ngành; UBND cấp huyện, cấp xã",
        "Sở Thông tin và Truyền thông, Văn phòng UBND tỉnh,",
        roster_1958,
    ))
    assert supports == {"stttt", "vpubnd"}
    assert leads == (DEPARTMENTS - {"stttt", "vpubnd"}) | DISTRICTS


def test_a_lead_never_supports_its_own_row_through_a_group(roster_1958):
    # A.I.15: three named leads; the supporting "Sở, ban, ngành" leaves them out.
    leads, supports = roles(resolve_row(
        "Văn phòng UBND tỉnh, Sở Nội vụ, Sở Thông tin và Truyền thông",
        "Sở, ban, ngành; UBND cấp huyện và các đơn vị có liên quan",
        roster_1958,
    ))
    assert leads == {"vpubnd", "snv", "stttt"}
    assert not leads & supports
    assert supports == (DEPARTMENTS - leads) | DISTRICTS


def test_each_unit_has_one_role_per_row(roster_1958):
    resolution = resolve_row("Sở, ban, ngành; UBND cấp huyện", "UBND cấp huyện, cấp xã; Sở Nội vụ", roster_1958)
    units = [a.unit for a in resolution.assignments]
    assert len(units) == len(set(units))
    leads, supports = roles(resolution)
    assert DISTRICTS <= leads and "snv" in supports


@pytest.mark.parametrize(
    ("written", "unit"),
    [
        ("Vần phòng UBND tỉnh", "vpubnd"),  # B.1.3
        ("Sả Thông tin và Truyền thông", "stttt"),  # B.8.1
        ("Sở Thông tin và truyền thông", "stttt"),  # A.II.3
        ("Văn phòng Ủy ban nhân dân tỉnh", "vpubnd"),
    ],
)
def test_typos_map_to_the_right_unit_and_say_so(roster_1958, written, unit):
    [phrase] = resolve_cell(written, roster_1958)
    assert phrase.kind == PhraseKind.UNIT
    assert phrase.units == (unit,)
    assert phrase.text == written


def test_a_typo_in_a_group_phrase_maps_to_the_group(roster_1958):
    # A.I.2: "Ủy ban nhân cấp huyện" lacks "dân".
    phrases = resolve_cell("Sở, ban, ngành, Ủy ban nhân cấp huyện, các cơ quan có liên quan", roster_1958)
    assert [p.kind for p in phrases] == [PhraseKind.GROUP, PhraseKind.GROUP, PhraseKind.RELATED]
    assert phrases[1].code == "ubnd-huyen" and "gần đúng" in phrases[1].note


def test_ubnd_cap_huyen_cap_xa_is_two_groups(roster_1958):
    phrases = resolve_cell("UBND cấp huyện, cấp xã", roster_1958)
    assert [(p.text, p.code) for p in phrases] == [("UBND cấp huyện", "ubnd-huyen"), ("cấp xã", "ubnd-xa")]


def test_districts_answer_for_their_communes_while_no_commune_is_registered(roster_1958):
    [_, communes] = resolve_cell("UBND cấp huyện, cấp xã", roster_1958)
    assert set(communes.units) == DISTRICTS
    assert "trả lời thay" in communes.note


def test_registered_communes_answer_for_themselves():
    roster = Roster(
        units={
            "donghung": RosterUnit("donghung", ("UBND huyện Đông Hưng",)),
            "xa-dongha": RosterUnit("xa-dongha", ("UBND xã Đông Hà",)),
        },
        groups={
            "ubnd-huyen": RosterGroup("ubnd-huyen", ("UBND cấp huyện",), ("donghung",)),
            "ubnd-xa": RosterGroup("ubnd-xa", ("UBND cấp xã",), ("xa-dongha",), stand_in="ubnd-huyen"),
        },
    )
    leads, supports = roles(resolve_row("Sở Nội vụ", "UBND cấp huyện, cấp xã", roster))
    assert supports == {"donghung", "xa-dongha"}


def test_related_bodies_name_no_one_and_are_kept_as_written(roster_1958):
    phrases = resolve_cell("Sở Thông tin và Truyền thông và các cơ quan, đơn vị có liên quan", roster_1958)
    assert [(p.kind, p.text) for p in phrases] == [
        (PhraseKind.UNIT, "Sở Thông tin và Truyền thông"),
        (PhraseKind.RELATED, "cơ quan, đơn vị có liên quan"),
    ]
    assert phrases[1].units == ()


def test_departments_concerned_name_no_one_in_particular(roster_1958):
    # A.III.1: "Sở, ban, ngành có liên quan" waits for the reviewer to name the departments.
    [phrase] = resolve_cell("Sở, ban, ngành có liên quan", roster_1958)
    assert phrase.kind == PhraseKind.RELATED and phrase.units == ()


def test_localities_after_the_departments_name_no_one_in_particular(roster_1958):
    # Lào Cai's plan for Chỉ thị 11-CT/TU: «các địa phương» already did; «địa phương», its «các»
    # said once for both, was left for the administrator to map.
    for cell in ("Các Sở, ban, ngành và địa phương", "Các sở, ngành, các địa phương"):
        assert [p.kind for p in resolve_cell(cell, roster_1958)] == [PhraseKind.GROUP, PhraseKind.RELATED], cell


def test_a_group_then_related_bodies_after_a_comma(roster_1958):
    # B.1.3: "…; các sở, ban, ngành, cơ quan có liên quan" names the departments, then the others.
    phrases = resolve_cell("Sở Thông tin và Truyền thông; các sở, ban, ngành, cơ quan có liên quan", roster_1958)
    assert [p.kind for p in phrases] == [PhraseKind.UNIT, PhraseKind.GROUP, PhraseKind.RELATED]


def test_a_phrase_matching_nothing_is_reported_by_name_not_dropped(roster_1958):
    resolution = resolve_row("Sở Nội vụ, Ban Chỉ đạo Chuyển đổi số", "Sở Tư pháp", roster_1958)
    assert [p.text for p in resolution.unknown] == ["Ban Chỉ đạo Chuyển đổi số"]
    assert roles(resolution) == ({"snv"}, {"stp"})


def test_a_bulleted_cell_names_each_unit(roster_1958):
    # A.II.2: two leads written as a list.
    leads, _ = roles(resolve_row("- Bảo hiểm xã hội tỉnh;\n- Sở Tài nguyên và Môi trường.", "", roster_1958))
    assert leads == {"bhxh", "stnmt"}


def test_several_leads_on_one_row(roster_1958):
    # A.I.5
    leads, supports = roles(resolve_row(
        "Sở Thông tin và Truyền thông, Công an tỉnh, Sở Kế hoạch và Đầu tư",
        "Văn phòng UBND tỉnh, UBND cấp huyện, cấp xã",
        roster_1958,
    ))
    assert leads == {"stttt", "cat", "skhdt"}
    assert supports == {"vpubnd"} | DISTRICTS


def test_resolution_says_which_words_became_which_units(roster_1958):
    resolution = resolve_row("Văn phòng UBND tỉnh", "Sở, ban, ngành; UBND cấp huyện, cấp xã", roster_1958)
    phrase_of = {a.unit: a.phrase for a in resolution.assignments}
    assert phrase_of["vpubnd"] == "Văn phòng UBND tỉnh"
    assert phrase_of["snv"] == "Sở, ban, ngành"
    assert phrase_of["donghung"] == "UBND cấp huyện; cấp xã"


def test_an_enterprise_named_by_its_role(roster_1958):
    # A.I.16: the public postal enterprise.
    [phrase] = resolve_cell("Doanh nghiệp bưu chính công ích trên địa bàn tỉnh", roster_1958)
    assert phrase.units == ("buudien",)


def test_inactive_units_are_left_out_of_groups():
    roster = Roster(
        units={"a": RosterUnit("a", ("Sở A",)), "b": RosterUnit("b", ("Sở B",), active=False)},
        groups={"sbn": RosterGroup("sbn", ("Sở, ban, ngành",), ("a", "b"))},
    )
    [phrase] = resolve_cell("Sở, ban, ngành", roster)
    assert phrase.units == ("a",)
