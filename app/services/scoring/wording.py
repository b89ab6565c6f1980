"""A table's problems and a model's left-out columns (``app.scoring.problems``) in words, zh/en, naming the row
and column as a monitoring import does."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _

from app.inputs.text import escaped
from app.language import N_, Kept, kept, title_in
from app.risk.ratios import RATIO_TITLES
from app.scoring.case_features import FEATURE_TITLES
from app.scoring.problems import Exclusion, Problem, TableRefused


def problem(p: Problem) -> Kept:
    # a file's own text (a column's name, a cell) is shown with its control characters written out (\u0000):
    # never raw on a page, in a terminal or in a stored message (PostgreSQL's JSON refuses a NUL)
    column, row = escaped(p.column or ""), p.row
    facts = {key: escaped(value) if isinstance(value, str) else value for key, value in p.facts.items()}
    if p.code == "header_blank":
        return kept("column %(position)s has no name in the header", position=facts["position"])
    if p.code == "header_control":
        return kept(
            "column %(position)s's name %(column)s holds a control character or is longer than 80 characters",
            position=facts["position"],
            column=column,
        )
    if p.code == "header_duplicate":
        return kept("column %(column)s is named twice in the header", column=column)
    if p.code == "target_missing":
        return kept("the target column %(column)s is not in the file", column=column)
    if p.code == "column_missing":
        return kept("column %(column)s, which the model reads, is not in the file", column=column)
    if p.code == "target_blank":
        return kept("row %(row)s: the target %(column)s is empty", row=row, column=column)
    if p.code == "not_a_number":
        return kept(
            "row %(row)s, column %(column)s: %(value)s is not a number (the column's other cells are numbers)",
            row=row,
            column=column,
            value=facts.get("value", ""),
        )
    if p.code == "not_finite":
        return kept(
            "row %(row)s, column %(column)s: %(value)s is not a finite number",
            row=row,
            column=column,
            value=facts.get("value", ""),
        )
    if p.code == "control_character":
        return kept(
            "row %(row)s, column %(column)s: the cell holds a control character", row=row, column=column
        )
    if p.code == "too_long":
        return kept(
            "row %(row)s, column %(column)s: the cell is longer than 200 characters", row=row, column=column
        )
    if p.code == "too_few":
        return kept(
            "%(column)s has %(bad)s defaults and %(good)s goods; each needs at least %(min)s",
            column=column,
            bad=facts["bad"],
            good=facts["good"],
            min=facts["min"],
        )
    if p.code == "monotonic_unknown":
        return kept("%(column)s, named monotonic, is not a numeric column the model can use", column=column)
    if p.code == "no_features":
        return kept("no column is left to learn from (%(excluded)s left out)", excluded=facts["excluded"])
    if p.code == "no_signal":
        return kept(
            "no column tells defaults from goods (every information value under %(min)s)", min=facts["min_iv"]
        )
    return kept("the table cannot be used (%(code)s)", code=p.code)


def exclusion(e: Exclusion) -> Kept:
    facts = {key: escaped(value) if isinstance(value, str) else value for key, value in e.facts.items()}
    if e.code == "empty":
        return kept("%(column)s: left out, every cell is empty", column=e.column)
    if e.code == "constant":
        return kept("%(column)s: left out, one value only (%(value)s)", column=e.column, value=facts["value"])
    if e.code == "identifier":
        return kept(
            "%(column)s: left out, %(distinct)s different values in %(rows)s rows (it names rows, like an id)",
            column=e.column,
            distinct=facts["distinct"],
            rows=facts["rows"],
        )
    if e.code == "too_many_categories":
        return kept(
            "%(column)s: left out, %(distinct)s categories (at most %(max)s)",
            column=e.column,
            distinct=facts["distinct"],
            max=facts["max"],
        )
    if e.code == "no_relation":
        return kept(
            "%(column)s: left out, its values do not tell defaults from goods (one bin)", column=e.column
        )
    if e.code == "weak":
        return kept(
            "%(column)s: left out, information value %(iv)s (under 0.02)", column=e.column, iv=facts["iv"]
        )
    if e.code == "wrong_sign":
        return kept(
            "%(column)s: left out, its coefficient came out against its bins' order (overlaps another column)",
            column=e.column,
        )
    return kept("%(column)s: left out (%(code)s)", column=e.column, code=e.code)


def exclusions(excluded: list[dict]) -> list[Kept]:
    """A version's left-out columns (as kept: column, code, facts) in words, each column by its title."""
    return [
        exclusion(Exclusion(column_title(e["column"]), e["code"], e.get("facts") or {})) for e in excluded
    ]


def refusal(error: TableRefused) -> list[Kept]:
    """The listed problems, and how many more there were."""
    words = [problem(p) for p in error.problems]
    if error.total > len(error.problems):
        words.append(kept("… and %(count)s more problems", count=error.total - len(error.problems)))
    return words


COLUMN_TITLES = {**RATIO_TITLES, **FEATURE_TITLES}


def column_title(name: str) -> str:
    """A column as the reader names it: a case feature's title in their language (资产负债率), any other column
    (a file's own) by its name."""
    return title_in(COLUMN_TITLES, name, str(get_locale() or "zh_CN"))


def category(value: str, source: str) -> str:
    """A category of a model trained on the history in the reader's words (the app's codes: real_estate →
    房地产业); a file's categories are the file's own text, shown as written."""
    return _(value) if source == "history" and value else value


def history_counts(report: dict) -> Kept:
    """What the history builder read (``history.History.report``), in words."""
    excluded = report["excluded"]
    return kept(
        "%(cases)s decided credit applications read: %(used)s used, %(defaults)s of them defaults within "
        "%(window)s months; left out: %(declined)s declined, %(no_analysis)s without an analysis of statements, "
        "%(in_default)s already in default when decided, %(not_mature)s decided less than %(window)s months ago "
        "without a default",
        cases=report["cases"],
        used=report["used"],
        defaults=report["defaults"],
        window=report["window_months"],
        declined=excluded.get("declined", 0),
        no_analysis=excluded.get("no_analysis", 0),
        in_default=excluded.get("in_default", 0),
        not_mature=excluded.get("not_mature", 0),
    )


# The names the pages and the report look up by code (``_('model_status_' ~ status)`` and the like).
CODES = (
    N_("algorithm_scorecard"),
    N_("algorithm_gbm"),
    N_("model_status_candidate"),
    N_("model_status_champion"),
    N_("model_status_challenger"),
    N_("model_status_retired"),
    N_("model_source_file"),
    N_("model_source_history"),
    N_("model_action_proposed"),
    N_("model_action_approved"),
    N_("model_action_rejected"),
    N_("model_action_retired"),
    N_("model_action_replaced"),
    N_("model_run_queued"),
    N_("model_run_running"),
    N_("model_run_done"),
    N_("model_run_failed"),
    N_("drift_level_too_few"),
    N_("drift_level_green"),
    N_("drift_level_amber"),
    N_("drift_level_red"),
)
