"""The model validation report (模型验证报告) as a PDF, zh or en: one version's data, headline figures, the ROC,
KS and calibration charts (SVG), every figure of its page as a table, the left-out columns and its governance."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from weasyprint import HTML

from app.documents import xy_chart
from app.models.base import utcnow
from app.models.people import User
from app.services.scoring import model_pages


def validation_report(user: User, model_id: int, language: str | None = None) -> tuple[bytes, str]:
    """The PDF and its file name, in ``language`` (the reader's own by default)."""
    language = language or str(get_locale() or "zh_CN")
    with force_locale(language):
        page = model_pages.page(user, model_id)
        html = render_template(
            "documents/model_validation.html",
            page=page,
            current_locale=language,
            printed=utcnow(),
            reader=user.display_name,
            author=page.version.author.display_name if page.version.author else page.version.author_name,
            **_charts(page.version.figures),
        )
    version = page.version
    return HTML(string=html).write_pdf(), f"model-validation-{version.name}-v{version.version}.pdf"


def _charts(found: dict) -> dict[str, str]:
    roc, ks = found["roc"], found["ks_curve"]
    pct = [round(v * 100, 2) for v in roc["fpr"]]
    return {
        "roc_svg": xy_chart.lines(
            pct,
            [
                xy_chart.Series(_("Model"), [v * 100 for v in roc["tpr"]]),
                xy_chart.Series(_("By chance"), pct, dashed=True),
            ],
            _("Goods called bad"),
            _("Defaults caught"),
        ),
        "ks_svg": xy_chart.lines(
            [v * 100 for v in ks["called"]],
            [
                xy_chart.Series(_("Cumulative share of defaults"), [v * 100 for v in ks["bad"]]),
                xy_chart.Series(_("Cumulative share of goods"), [v * 100 for v in ks["good"]]),
            ],
            _("Share called bad"),
            _("Cumulative share"),
        ),
        "calibration_svg": xy_chart.bars(
            [str(d["group"]) for d in found["deciles"]],
            [
                xy_chart.Series(_("Predicted default rate"), [d["expected"] * 100 for d in found["deciles"]]),
                xy_chart.Series(_("Observed default rate"), [d["observed"] * 100 for d in found["deciles"]]),
            ],
            _("Decile of PD"),
            _("Default rate"),
        ),
    }
