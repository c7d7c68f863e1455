"""Indicators: each unit enters its figures for the open period; the reviewer sees them
all and asks for an explanation (giải trình) of an off-track figure."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlmodel import select

from .. import permissions
from ..dashboard.routes import chosen_period
from ..extensions import db
from ..forms import errors_text
from ..models import Indicator, IndicatorValue, Task, Unit
from ..plan_scope import current_plan, own_unit
from ..rendering import render, wants_partial
from ..services import clock
from ..services.periods import open_period_of
from ..services.targets import (
    TargetError,
    concerns,
    indicator_units,
    request_explanation,
    save_value,
    set_baseline,
    summaries,
)
from ..services.text import figure_vn
from .forms import BaselineForm, ExplanationRequestForm, ValueForm

bp = Blueprint("indicators", __name__, url_prefix="/indicators")


def _indicator(indicator_id: int) -> tuple[Indicator, Task]:
    indicator = db.session().get(Indicator, indicator_id)
    plan = current_plan()
    task = db.session().get(Task, indicator.task_id) if indicator else None
    if indicator is None or task.plan_id != plan.id:
        abort(404)
    return indicator, task


def _value_of(indicator, unit, period) -> IndicatorValue | None:
    if period is None:
        return None
    return db.session().exec(select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator.id, IndicatorValue.unit_id == unit.id,
        IndicatorValue.period_id == period.id)).first()


@bp.get("/mine")
@login_required
def mine():
    """The indicators of the unit's rows, with the unit's figures for the open period."""
    unit = own_unit()
    session = db.session()
    plan = current_plan()
    period = open_period_of(session, plan)
    items = []
    for summary in summaries(session, plan=plan, period=period, as_of=clock.today()):
        if any(u.id == unit.id for u in summary.units):
            value = next((v for v in summary.values if v.unit_id == unit.id), None)
            items.append((summary, value, _filled(ValueForm(formdata=None), value)))
    return render_template("indicators/mine.html", plan=plan, unit=unit, period=period, items=items)


def _filled(form: ValueForm, value: IndicatorValue | None) -> ValueForm:
    if value is not None:
        form.value.data = figure_vn(value.value, 6)
        form.source.data = value.source
        form.explanation.data = value.explanation
    return form


@bp.post("/<int:indicator_id>/value")
@login_required
def save(indicator_id: int):
    indicator, task = _indicator(indicator_id)
    session = db.session()
    unit = session.get(Unit, current_user.unit_id) if current_user.unit_id else None
    if unit is None or not permissions.can_report_indicator(current_user, concerns(session, indicator, unit)):
        abort(403)
    period = open_period_of(session, current_plan())
    form = ValueForm()
    error = None
    if period is None:
        error = "Chưa có kỳ báo cáo nào đang mở."
    elif form.validate_on_submit():
        try:
            save_value(session, indicator=indicator, unit=unit, period=period, user=current_user,
                       value=form.number, source=form.source.data or "", explanation=form.explanation.data or "")
        except TargetError as exc:
            error = str(exc)
    value = _value_of(indicator, unit, period)
    [summary] = summaries(session, plan=current_plan(), period=period, as_of=clock.today(), only=indicator.id)
    if not wants_partial() and not error and not form.errors:
        return redirect(url_for("indicators.mine") + f"#indicator-{indicator.id}", code=303)
    return render("indicators/mine.html", "indicators/_value_row.html", summary=summary, value=value, form=form,
                  error=error, period=period, plan=current_plan(), unit=unit,
                  items=[(summary, value, form)])


@bp.get("/<int:indicator_id>")
@login_required
def indicator(indicator_id: int):
    indicator, task = _indicator(indicator_id)
    if not permissions.can_see_dashboard(current_user):
        abort(403)
    session = db.session()
    plan = current_plan()
    period = chosen_period(plan, "period") or open_period_of(session, plan)
    [summary] = summaries(session, plan=plan, period=period, as_of=clock.today(), only=indicator.id)
    values = {v.unit_id: v for v in summary.values}
    return render_template("indicators/detail.html", plan=plan, summary=summary, period=period,
                           lines=[(unit, values.get(unit.id)) for unit in indicator_units(session, indicator)],
                           can_review=permissions.can_review(current_user), form=ExplanationRequestForm(),
                           baseline_form=BaselineForm())


@bp.post("/<int:indicator_id>/baseline")
@login_required
def baseline(indicator_id: int):
    indicator, _ = _indicator(indicator_id)
    if not permissions.can_review(current_user):
        abort(403)
    form = BaselineForm()
    if form.validate_on_submit():
        try:
            set_baseline(db.session(), indicator=indicator, value=form.number)
            flash(f"Đã đặt mức ban đầu {figure_vn(form.number)} {indicator.unit_of_measure}.", "info")
        except TargetError as exc:
            flash(str(exc), "error")
    else:
        flash(errors_text(form), "error")
    return redirect(url_for("indicators.indicator", indicator_id=indicator.id), code=303)


@bp.post("/values/<int:value_id>/explanation-request")
@login_required
def ask_explanation(value_id: int):
    if not permissions.can_review(current_user):
        abort(403)
    session = db.session()
    row = session.get(IndicatorValue, value_id)
    if row is None:
        abort(404)
    indicator, _ = _indicator(row.indicator_id)
    form = ExplanationRequestForm()
    error = None
    if form.validate_on_submit():
        try:
            request_explanation(session, row=row, comment=form.comment.data or "")
        except TargetError as exc:
            error = str(exc)
    if wants_partial():
        return render_template("indicators/_unit_line.html", unit=session.get(Unit, row.unit_id), value=row,
                               can_review=True, form=ExplanationRequestForm(), error=error,
                               indicator=indicator)
    return redirect(url_for("indicators.indicator", indicator_id=indicator.id, period=row.period_id), code=303)
