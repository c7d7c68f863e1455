"""Commands of the public contract (DESIGN.md): flask --app webapp <command>."""

import sys
from pathlib import Path

import click
from flask import Flask
from sqlmodel import Session

from .database import writer
from .extensions import db
from .forms import parse_date_vn
from .schema import current_revision, new_revision, upgrade
from .services import backup, clock, exports, importer, roster
from .services.accounts import (
    DEMO_PASSWORD,
    AccountError,
    save_user,
    seed_demo_accounts,
)
from .services.demo import play_history
from .services.plans import (
    PLAN_1958,
    PlanMeta,
    PlanNotFound,
    PlanSource,
    find_plan,
    followed_plans,
    load_plan,
)
from .services.reading import AppendixError, ImportLimits, read_appendix
from .services.reminders import SmtpSettings, send_reminders
from .services.text import slug


def _write(data: bytes, output: str | None) -> None:
    if output in (None, "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        Path(output).write_bytes(data)


def _session() -> Session:
    upgrade(db.engine())
    return Session(writer(db.engine()))


def register(app: Flask) -> None:
    @app.cli.command("upgrade-db")
    def upgrade_db() -> None:
        """Tạo hoặc nâng cấp cấu trúc cơ sở dữ liệu lên phiên bản mới nhất (giữ nguyên dữ liệu)."""
        before = current_revision(db.engine())
        upgrade(db.engine())
        after = current_revision(db.engine())
        click.echo(f"Cơ sở dữ liệu: {before or 'trống'} → {after}" if before != after
                   else f"Cơ sở dữ liệu đã ở phiên bản mới nhất ({after}).")

    @app.cli.command("new-migration")
    @click.argument("message")
    def new_migration(message: str) -> None:
        """Cho lập trình viên: viết migration cho phần khác nhau giữa models và cơ sở dữ liệu (đã nâng cấp)."""
        upgrade(db.engine())
        new_revision(db.engine(), message)

    @app.cli.command("load-plan")
    @click.option("--source", type=click.Path(exists=True, file_okay=False, path_type=Path), default=PLAN_1958,
                  show_default=True, help="Thư mục của kế hoạch (plan.toml, phụ lục, danh sách đơn vị).")
    def load_plan_command(source: Path) -> None:
        """Nạp hoặc cập nhật kế hoạch (mặc định: 1958/QĐ-UBND) và các đơn vị của nó."""
        try:
            plan_source = PlanSource.read(source)
            report = load_plan(db.engine(), plan_source)
        except AppendixError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Kế hoạch {plan_source.number}:")
        if report.changed:
            for what, count in report.changes.items():
                click.echo(f"  {count} {what}")
        else:
            click.echo("  không có thay đổi (dữ liệu đã khớp với tệp)")
        if report.notes:
            click.echo("Ghi chú khi đọc phụ lục:")
            for note in report.notes:
                click.echo(f"  - {note}")

    plan_option = click.option("--plan", "plan_code", default=None, help="Mã hoặc số hiệu kế hoạch (mặc định: kế hoạch mới nhất).")
    output_option = click.option("-o", "--output", default=None, help="Tệp ghi ra; «-» hoặc bỏ trống: đầu ra chuẩn.")

    @app.cli.command("export-plan")
    @click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
    @plan_option
    @output_option
    def export_plan(fmt: str, plan_code: str | None, output: str | None) -> None:
        """Xuất phụ lục của kế hoạch, mỗi nhiệm vụ một dòng."""
        with _session() as session:
            table = exports.plan_table(session, _plan(session, plan_code))
        _write(exports.to_csv(table) if fmt == "csv" else exports.to_xlsx(table), output)

    @app.cli.command("export-assignments")
    @click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
    @plan_option
    @output_option
    def export_assignments(fmt: str, plan_code: str | None, output: str | None) -> None:
        """Xuất phân công: mỗi (nhiệm vụ, đơn vị, vai trò) một dòng."""
        with _session() as session:
            table = exports.assignments_table(session, _plan(session, plan_code))
        _write(exports.to_csv(table, bom=False) if fmt == "csv" else exports.to_xlsx(table), output)

    @app.cli.command("list-units")
    def list_units() -> None:
        """Liệt kê các đơn vị (CSV)."""
        with _session() as session:
            table = exports.units_table(session)
        _write(exports.to_csv(table, bom=False), None)


    @app.cli.command("import-roster")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Chỉ in những gì sẽ thay đổi, không ghi gì.")
    def import_roster_command(file: Path, dry_run: bool) -> None:
        """Nhập danh sách đơn vị và nhóm của tỉnh từ tệp .xlsx hoặc .csv theo mẫu (toàn bộ hoặc không gì)."""
        try:
            found = roster.read_roster_file(file.name, file.read_bytes(), ImportLimits.from_config(app.config))
            with _session() as session:
                for change in roster.preview_roster(session, found).changes:
                    click.echo(f"  {change.code} · {change.name} ({change.kind}): {change.what}")
                if dry_run:
                    return
                report = roster.import_roster(session, found)
        except roster.RosterError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo("Đã nhập danh sách đơn vị: " + (", ".join(f"{n} {what}" for what, n in report.counts.items())
                                                   or "không có thay đổi"))

    @app.cli.command("export-roster")
    @click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
    @output_option
    def export_roster(fmt: str, output: str | None) -> None:
        """Xuất danh sách đơn vị và nhóm theo mẫu nhập (code, name, kind, parent, aliases, members)."""
        with _session() as session:
            _write(roster.roster_csv(session) if fmt == "csv" else roster.roster_xlsx(session), output)

    @app.cli.command("create-user")
    @click.option("--username", required=True)
    @click.option("--password", required=True)
    @click.option("--role", required=True, type=click.Choice(["unit", "reviewer", "leader", "admin"]))
    @click.option("--unit", "unit_code", default=None, help="Mã đơn vị (bắt buộc với vai trò unit).")
    @click.option("--full-name", default="", help="Họ tên hiển thị.")
    @click.option("--email", default="", help="Địa chỉ nhận thư nhắc việc.")
    def create_user(username: str, password: str, role: str, unit_code: str | None, full_name: str,
                    email: str) -> None:
        """Tạo tài khoản (hoặc cập nhật nếu tên đăng nhập đã có)."""
        with _session() as session:
            try:
                user, created = save_user(session, username=username, password=password, role=role,
                                          unit_code=unit_code, full_name=full_name, email=email)
            except AccountError as exc:
                raise click.ClickException(str(exc)) from exc
            click.echo(f"{'Đã tạo' if created else 'Đã cập nhật'} tài khoản «{user.username}» ({role}).")

    @app.cli.command("import-plan")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Chỉ in bản xem trước, không ghi gì.")
    @click.option("--number", default=None, help="Số hiệu kế hoạch, ví dụ 123/KH-UBND (bắt buộc khi nhập thật).")
    @click.option("--code", default=None, help="Mã kế hoạch (mặc định: từ số hiệu).")
    @click.option("--title", default="", help="Tên kế hoạch.")
    @click.option("--issuer", default="", help="Cơ quan ban hành.")
    @click.option("--issued-on", default=None, help="Ngày ban hành, dd/mm/yyyy.")
    @click.option("--map", "mappings", multiple=True, metavar="CỤM_TỪ=unit:MÃ",
                  help="Gán một cụm từ chưa khớp cho đơn vị (unit:MÃ) hoặc nhóm (group:MÃ), cho lần nhập này.")
    @click.option("--remember", is_flag=True, help="Ghi nhớ các cụm từ của --map làm cách viết khác của đơn vị, nhóm.")
    @click.option("--allow-unresolved", is_flag=True,
                  help="Vẫn nhập khi có nhiệm vụ chưa có đơn vị chủ trì (Sở Nội vụ chỉ định sau).")
    def import_plan_command(file: Path, dry_run: bool, number: str | None, code: str | None, title: str,
                            issuer: str, issued_on: str | None, mappings: tuple[str, ...], remember: bool,
                            allow_unresolved: bool) -> None:
        """Nhập một kế hoạch từ tệp phụ lục (.docx, .xlsx, .csv; .doc, .xls khi có LibreOffice) như tỉnh ban hành."""
        try:
            pairs = dict(importer.parse_mapping(entry) for entry in mappings)
            parsed = read_appendix(file.name, file.read_bytes(), ImportLimits.from_config(app.config))
            meta = None
            if not dry_run:
                if not number:
                    raise click.ClickException("Hãy cho số hiệu kế hoạch: --number 123/KH-UBND")
                meta = PlanMeta(code=code or slug(number), number=number, title=title or number, issuer=issuer,
                                issued_on=parse_date_vn(issued_on) if issued_on else None, focal_unit=None)
        except (AppendixError, ValueError) as exc:
            message = str(exc) if isinstance(exc, AppendixError) else "Ngày ban hành phải có dạng dd/mm/yyyy."
            raise click.ClickException(message) from exc
        with _session() as session:
            try:
                chosen = importer.mappings_from(session, pairs, set(pairs) if remember else set())
                _echo_preview(importer.preview(session, parsed, chosen), file.name)
                if dry_run:
                    return
                report = importer.commit_import(session, meta=meta, parsed=parsed, mappings=chosen,
                                                allow_without_lead=allow_unresolved)
                session.commit()
            except AppendixError as exc:
                session.rollback()  # all or nothing
                confirm = " Thêm --allow-unresolved để vẫn nhập." if isinstance(exc, importer.LeadMissing) else ""
                raise click.ClickException(str(exc) + confirm) from exc
        click.echo(f"Đã nhập kế hoạch {number}: " + ", ".join(f"{n} {what}" for what, n in report.changes.items()))
        for note in report.notes:
            click.echo(f"  - {note}")

    @app.cli.command("backup")
    @click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
    def backup_command(directory: Path | None) -> None:
        """Sao lưu cơ sở dữ liệu (nhất quán, kể cả khi ứng dụng đang chạy) vào thư mục (mặc định: instance/backups)."""
        target = directory or Path(app.instance_path) / "backups"
        try:
            file = backup.backup(app.config["DATABASE_URL"], target)
        except backup.BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Đã sao lưu vào {file}")

    @app.cli.command("restore")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Không hỏi lại.")
    def restore_command(file: Path, yes: bool) -> None:
        """Phục hồi cơ sở dữ liệu từ một bản sao lưu của ứng dụng (thay toàn bộ dữ liệu hiện có)."""
        try:
            backup.check_backup(app.config["DATABASE_URL"], file)  # refused before asking, too
            if not yes:
                click.confirm("Dữ liệu hiện có sẽ bị thay bằng bản sao lưu (một bản của dữ liệu hiện có được giữ "
                              "lại trước). Tiếp tục?", abort=True)
            kept = backup.restore(app.config["DATABASE_URL"], file, Path(app.instance_path) / "backups")
        except backup.BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        upgrade(db.engine())  # a backup from an earlier version gets the newest schema
        click.echo(f"Dữ liệu trước khi phục hồi được giữ ở {kept}")
        click.echo(f"Đã phục hồi từ {file}")

    @app.cli.command("send-reminders")
    @click.option("--plan", "plan_code", default=None, help="Chỉ nhắc việc của một kế hoạch (mặc định: mọi kế hoạch đang theo dõi).")
    def send_reminders_command(plan_code: str | None) -> None:
        """Gửi mỗi đơn vị một thư nhắc việc của mọi kế hoạch đang theo dõi (tối đa một thư mỗi ngày); chạy hằng ngày bằng cron."""
        if not app.config["SMTP_HOST"]:
            click.echo("Chưa cấu hình máy chủ thư (SMTP_HOST): không gửi thư nhắc việc nào.")
            return
        smtp = SmtpSettings(host=app.config["SMTP_HOST"], port=app.config["SMTP_PORT"],
                            username=app.config["SMTP_USERNAME"], password=app.config["SMTP_PASSWORD"],
                            starttls=app.config["SMTP_STARTTLS"], sender=app.config["MAIL_FROM"])
        with _session() as session:
            plans = [_plan(session, plan_code)] if plan_code else followed_plans(session)
            outcomes = send_reminders(session, plans=plans, today=clock.today(), smtp=smtp)
        for outcome in outcomes:
            mark = "đã gửi" if outcome.sent else "không gửi"
            click.echo(f"{outcome.unit_code}: {mark} ({outcome.reason})")
        click.echo(f"Đã gửi {sum(o.sent for o in outcomes)} thư nhắc việc.")

    @app.cli.command("seed-demo")
    @click.option("--accounts-only", is_flag=True, help="Chỉ tạo tài khoản, không dựng lịch sử thực hiện.")
    def seed_demo(accounts_only: bool) -> None:
        """Dữ liệu dùng thử: mỗi đơn vị một tài khoản, một người rà soát, một lãnh đạo, một quản trị; và lịch sử
        thực hiện kế hoạch 1958 từ Quý III/2021 (các kỳ báo cáo, báo cáo, rà soát, gia hạn, số liệu chỉ tiêu)."""
        if app.config["PRODUCTION"]:
            raise click.ClickException("Không tạo dữ liệu dùng thử ở chế độ production.")
        with _session() as session:
            created = seed_demo_accounts(session)
            played = None if accounts_only else play_history(session, plan=_plan(session, PlanSource.read().code),
                                                              until=clock.today())
        click.echo(f"Tài khoản dùng thử ({len(created)} tài khoản mới), mật khẩu chung: {DEMO_PASSWORD}")
        click.echo("  đơn vị:      tên đăng nhập là mã đơn vị, ví dụ snv, stttt, donghung (xem list-units)")
        click.echo("  rà soát:     snv-ra-soat   (Sở Nội vụ)")
        click.echo("  lãnh đạo:    lanh-dao")
        click.echo("  quản trị:    quan-tri")
        if played:
            click.echo(f"Lịch sử thực hiện kế hoạch 1958: {played.closed} kỳ đã đóng, kỳ {played.open_label} đang mở; "
                       f"{played.reports} báo cáo, {played.sent} lần gửi, {played.returned} lần trả lại.")
        elif not accounts_only:
            click.echo("Kế hoạch 1958 đã có kỳ báo cáo: giữ nguyên, không dựng lại lịch sử.")


def _echo_preview(found, filename: str) -> None:
    parsed = found.parsed
    click.echo(f"Tệp {filename}: {len(parsed.sections)} mục, {len(parsed.tasks)} nhiệm vụ; đã đọc {parsed.rows_read} "
               f"trên {parsed.rows_seen} dòng có chữ của bảng ({parsed.headings} dòng tiêu đề mục, "
               f"{parsed.continuations} dòng nối vào dòng trên, {len(parsed.passed_over)} dòng bỏ qua).")
    if parsed.extra_columns:
        click.echo("Cột khác được giữ theo từng nhiệm vụ: " + ", ".join(f"«{t}»" for t in parsed.extra_columns))
    for section in parsed.sections:
        click.echo(f"  {section.code} · {section.title}")
    for row in found.rows:
        task = row.task
        click.echo(f"{task.ref}  {' '.join(task.content.split())[:90]}")
        reading = row.timeframe.reading if row.timeframe.understood else "CHƯA ĐỌC ĐƯỢC HẠN"
        click.echo(f"    thời gian: «{' '.join(task.timeframe.split())}» → {reading}")
        for column, phrases in (("chủ trì", row.resolution.lead), ("phối hợp", row.resolution.support)):
            for phrase in phrases:
                click.echo(f"    {column}: «{phrase.text}» → {_phrase_meaning(phrase)}")
        for title, text in task.extra.items():
            click.echo(f"    {title}: {' '.join(text.split())[:80]}")
    for passed in parsed.passed_over:
        click.echo(f"Bỏ qua ({passed.reason}) {passed.where}: {passed.text[:80]}")
    for note in parsed.notes:
        click.echo(f"Lưu ý: {note}")
    if found.unresolved:
        click.echo("Cụm từ chưa khớp (gán bằng --map \"CỤM_TỪ=unit:MÃ\"): " + "; ".join(f"«{p}»" for p in found.unresolved))
    if found.without_lead:
        click.echo(f"{len(found.without_lead)} nhiệm vụ chưa có đơn vị chủ trì: {', '.join(found.without_lead)}")
    if found.timeframes_not_read:
        click.echo(f"Chưa đọc được hạn của {len(found.timeframes_not_read)} nhiệm vụ (người rà soát đặt hạn sau): "
                   + ", ".join(found.timeframes_not_read))


def _phrase_meaning(phrase) -> str:
    if phrase.kind.value == "unknown":
        return "CHƯA KHỚP đơn vị hay nhóm nào"
    if phrase.kind.value == "related":
        return "không chỉ định đơn vị (người rà soát chỉ định sau)"
    meaning = f"{len(phrase.units)} đơn vị ({phrase.code})"
    return meaning + (f"; {phrase.note}" if phrase.note else "")


def _plan(session: Session, code: str | None):
    try:
        return find_plan(session, code)
    except PlanNotFound as exc:
        raise click.ClickException(str(exc)) from exc
