"""The one call a BPMN script task makes to analyse a borrower's financial statements."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from app.risk.errors import RiskInputError
from app.risk.ratios import compute_ratios
from app.risk.scorecard import DEFAULT_MODEL, ScorecardModel, score
from app.risk.statements import Statement, parse_statement
from app.risk.zscore import ZModelName, get_model, z_score

# The model used when the requested one cannot run on this borrower's figures
# (Z needs a market value of equity, which an unlisted company does not have).
Z_FALLBACKS: dict[str, ZModelName] = {"z": "z_prime"}


def analyse_financials(
    statements: Sequence[Mapping[str, Any]],
    z_model: str,
    scorecard_model: ScorecardModel = DEFAULT_MODEL,
) -> dict[str, Any]:
    """Ratios for every year, and Z-score and scorecard for the latest year.

    Needs at least one statement (one to five are entered); their fiscal years must differ, and
    they may come in any order. Returns a JSON-serializable dict::

        {"fiscal_year": latest year,
         "ratios": {ratio: value or None},            # latest year
         "ratio_trend": {"2023": {...}, "2024": {...}}, # str(year), oldest first
         "zscore": {"model", "score", "zone", "inputs", "fallback_from", "unavailable"},
         "scorecard": {"pd", "points", "model", "version", "contributions", "inputs",
                       "imputed"},
         # flat copies for DMN inputs:
         "pd", "points", "z_score", "z_zone", "debt_ratio", "current_ratio"}

    When ``z_model`` is "z" and the company has no market_equity, Z' runs instead and
    "zscore"["fallback_from"] is "z". When no Z model can run (zero liabilities),
    score and zone are None and "unavailable" says why. Raises RiskInputError for
    bad statements (the message names the statement's position) or an unknown model.
    """
    get_model(z_model)  # unknown model names fail before any statement is read
    parsed = _parse_periods(statements)
    latest = parsed[-1]
    ratios = compute_ratios(latest)
    zscore = _zscore_block(latest, cast(ZModelName, z_model))
    card = score(scorecard_model, ratios)
    return {
        "fiscal_year": latest.fiscal_year,
        "ratios": ratios,
        "ratio_trend": {str(st.fiscal_year): compute_ratios(st) for st in parsed},
        "zscore": zscore,
        "scorecard": {
            "pd": card.pd,
            "points": card.points,
            "model": scorecard_model.name,
            "version": scorecard_model.version,
            "contributions": card.contributions,
            "inputs": card.inputs,
            "imputed": list(card.imputed),
        },
        "pd": card.pd,
        "points": card.points,
        "z_score": zscore["score"],
        "z_zone": zscore["zone"],
        "debt_ratio": ratios["debt_to_asset"],
        "current_ratio": ratios["current_ratio"],
    }


def hand_set_rating(analysis: Mapping[str, Any]) -> dict[str, Any]:
    """The rating's PD (and points) when no learned scoring model is the champion: the hand-set scorecard's, named
    by its model and version (the shape ``model_rating`` answers in, ``app.services.scoring.rating``)."""
    found = analysis.get("scorecard")
    card: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    return {
        "pd": analysis.get("pd"),
        "points": analysis.get("points"),
        "source": "scorecard",
        "model": f"{card.get('model', '')} {card.get('version', '')}".strip(),
        "model_id": None,
        "reasons": [],
        "shadow": [],
    }


def _parse_periods(statements: Sequence[Mapping[str, Any]]) -> list[Statement]:
    if isinstance(statements, (str, bytes, Mapping)) or not isinstance(statements, Sequence):
        raise RiskInputError("statements", "must be a list of annual statements")
    parsed: list[Statement] = []
    for position, raw in enumerate(statements, start=1):
        try:
            parsed.append(parse_statement(raw))
        except RiskInputError as error:
            raise RiskInputError(error.field, f"{error.message} (statement {position})") from error
    years = [st.fiscal_year for st in parsed]
    duplicates = sorted({year for year in years if years.count(year) > 1})
    if duplicates:
        listed = ", ".join(str(year) for year in duplicates)
        raise RiskInputError("statements", f"fiscal year given more than once: {listed}")
    if not parsed:
        raise RiskInputError("statements", "at least one annual statement is required")
    return sorted(parsed, key=lambda st: st.fiscal_year)


def _zscore_block(st: Statement, model: ZModelName) -> dict[str, Any]:
    block: dict[str, Any] = {"model": model, "fallback_from": None, "unavailable": None}
    try:
        block.update(z_score(st, model).as_dict())
        return block
    except RiskInputError as error:
        fallback = Z_FALLBACKS.get(model)
        if error.field != "market_equity" or fallback is None:
            return _unavailable(block, error)
    block.update(model=fallback, fallback_from=model)
    try:
        block.update(z_score(st, fallback).as_dict())
    except RiskInputError as error:
        return _unavailable(block, error)
    return block


def _unavailable(block: dict[str, Any], error: RiskInputError) -> dict[str, Any]:
    block.update(score=None, zone=None, inputs={}, unavailable=str(error))
    return block
