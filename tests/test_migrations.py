"""The schema comes from the migrations only, and upgrading keeps every report."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from webapp.database import make_engine
from webapp.schema import current_revision, head_revision, upgrade


def test_the_migrations_build_exactly_the_models(empty_database_url):
    engine = make_engine(empty_database_url)
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                       SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_a_database_of_the_first_migration_upgrades_without_losing_a_report(empty_database_url):
    engine = make_engine(empty_database_url)
    upgrade(engine, "0001_foundation")
    with engine.begin() as db:
        db.execute(text("INSERT INTO unit (id, code, name, short_name, kind, active, aliases) "
                        "VALUES (1, 'stttt', 'Sở Thông tin và Truyền thông', 'STTTT', 'department', true, '')"))
        db.execute(text("INSERT INTO plan (id, code, number, title, issuer, active, created_at, revision) "
                        "VALUES (1, 'kh', '1958/QĐ-UBND', 'Kế hoạch', 'UBND tỉnh', true, '2022-01-01 00:00:00', 1)"))
        db.execute(text("INSERT INTO section (id, plan_id, code, stt, title, position) VALUES (1, 1, 'B.8', '8', 'Sở TTTT', 1)"))
        db.execute(text("INSERT INTO task (id, plan_id, section_id, ref, stt, position, content, lead_text, support_text, "
                        "timeframe_text, product, recurrence, awaits_guidance, search_text) VALUES (1, 1, 1, 'B.8.1', "
                        "'8.1', 1, 'Hướng dẫn tạo tài khoản', 'Sả Thông tin và Truyền thông', '', 'Năm 2022', '', '', false, '')"))
        db.execute(text("INSERT INTO assignment (id, task_id, unit_id, role, phrase) VALUES (1, 1, 1, 'lead', 'Sả…')"))
        db.execute(text('INSERT INTO "user" (id, username, full_name, role, unit_id, active, password_hash, '
                        "session_token, created_at) VALUES (1, 'stttt', 'Đầu mối', 'unit', 1, true, 'x', 't', "
                        "'2022-01-01 00:00:00')"))
        db.execute(text("INSERT INTO report (id, task_id, unit_id, status, percent, result, evidence_number, "
                        "difficulties, proposals, contribution_note, version, updated_by_id) VALUES (1, 1, 1, "
                        "'in_progress', 60, 'Đã hướng dẫn 5 huyện', '12/BC-STTTT', '', '', '', 3, 1)"))
        db.execute(text("INSERT INTO reportchange (id, report_id, changed_by_id, changed_at, field, old_value, "
                        "new_value) VALUES (1, 1, 1, '2022-05-01 00:00:00', 'percent', '40', '60')"))
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as db:
        report = db.execute(text("SELECT status, percent, result, evidence_number, version FROM report")).one()
        assert tuple(report) == ("in_progress", 60, "Đã hướng dẫn 5 huyện", "12/BC-STTTT", 3)
        assert db.execute(text("SELECT field, old_value, new_value, period_id FROM reportchange")).one() == \
            ("percent", "40", "60", None)
        assert tuple(db.execute(text('SELECT email, must_change_password FROM "user"')).one()) in (("", False), ("", 0))
        assert db.execute(text("SELECT lead_text, set_due_on FROM task")).one() == ("Sả Thông tin và Truyền thông", None)
    engine.dispose()
