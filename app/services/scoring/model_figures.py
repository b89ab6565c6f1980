"""A model version's validation as the page's and the report's figures (``analytics.figures``): each chart with
its data as a table and an XLSX export — ROC, KS, calibration by decile, PSI of the PD, CSI of each column, and
for a scorecard the information value of each column and each column's bins with their points."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app.models.scoring import ScoringModel
from app.services.analytics.figures import Chart, Column, Figure
from app.services.scoring import wording

PSI_WATCH, PSI_SHIFTED = 0.1, 0.25


def stability_word(value: float | None) -> str:
    if value is None:
        return "—"
    if value < PSI_WATCH:
        return _("stable")
    return _("watch") if value < PSI_SHIFTED else _("shifted")


def figures(version: ScoringModel) -> list[Figure]:
    found = version.figures
    out = [_roc(found), _ks(found), _calibration(found), _psi(found), _csi(version)]
    if version.algorithm == "scorecard":
        out.append(_iv(found))
        out += [
            _bins(position, entry, version.source)
            for position, entry in enumerate(found.get("bins", []), start=1)
        ]
    return out


def _pct(value: Any) -> float | None:
    return None if value is None else round(float(value) * 100, 2)


def _roc(found: dict) -> Figure:
    roc = found["roc"]
    rows = [
        {"fpr": _pct(f), "tpr": _pct(t), "chance": _pct(f)}
        for f, t in zip(roc["fpr"], roc["tpr"], strict=True)
    ]
    return Figure(
        "roc",
        _("ROC curve"),
        (
            Column("fpr", _("Goods called bad (false positive rate)"), "pct"),
            Column("tpr", _("Defaults caught (true positive rate)"), "pct"),
            Column("chance", _("By chance"), "pct"),
        ),
        rows,
        Chart("line", "fpr", ("tpr", "chance")),
        note=_(
            "AUC %(auc)s, Gini %(gini)s, on the %(rows)s rows held out from training.",
            auc=f"{found['auc']:.4f}",
            gini=f"{found['gini']:.4f}",
            rows=found["rows"],
        ),
    )


def _ks(found: dict) -> Figure:
    curve = found["ks_curve"]
    rows = [
        {"called": _pct(c), "bad": _pct(b), "good": _pct(g), "gap": _pct(b - g)}
        for c, b, g in zip(curve["called"], curve["bad"], curve["good"], strict=True)
    ]
    return Figure(
        "ks",
        _("KS curve"),
        (
            Column("called", _("Share of rows called bad (highest PD first)"), "pct"),
            Column("bad", _("Cumulative share of defaults"), "pct"),
            Column("good", _("Cumulative share of goods"), "pct"),
            Column("gap", _("Gap"), "pct"),
        ),
        rows,
        Chart("line", "called", ("bad", "good")),
        note=_("KS %(ks)s: the largest gap between the two curves.", ks=f"{found['ks']:.4f}"),
    )


def _calibration(found: dict) -> Figure:
    rows = [
        {
            "group": str(d["group"]),
            "rows": d["rows"],
            "defaults": d["defaults"],
            "expected": _pct(d["expected"]),
            "observed": _pct(d["observed"]),
        }
        for d in found["deciles"]
    ]
    hl = found["hosmer_lemeshow"]
    return Figure(
        "calibration",
        _("Calibration: predicted and observed default rate by decile of PD"),
        (
            Column("group", _("Decile (1: lowest PD)")),
            Column("rows", _("Rows"), "count"),
            Column("defaults", _("Defaults"), "count"),
            Column("expected", _("Predicted default rate"), "pct"),
            Column("observed", _("Observed default rate"), "pct"),
        ),
        rows,
        Chart("bar", "group", ("expected", "observed")),
        note=_(
            "Hosmer–Lemeshow %(statistic)s, p = %(p)s (p under 0.05: the PDs do not fit the observed rates).",
            statistic=f"{hl['statistic']:.2f}",
            p=f"{hl['p_value']:.3f}",
        ),
    )


def _psi(found: dict) -> Figure:
    psi = found["psi"]
    labels = band_labels(psi["cuts"])
    rows = [
        {"bin": label, "train": _pct(t), "validation": _pct(v)}
        for label, t, v in zip(labels, psi["train"], psi["validation"], strict=False)
    ]
    return Figure(
        "psi",
        _("Stability of the PD (PSI), held-out rows against training"),
        (
            Column("bin", _("PD band (training deciles)")),
            Column("train", _("Training share"), "pct"),
            Column("validation", _("Held-out share"), "pct"),
        ),
        rows,
        Chart("bar", "bin", ("train", "validation")),
        note=_(
            "PSI %(value)s: %(word)s (under 0.1 stable, 0.1–0.25 watch, over 0.25 shifted).",
            value=f"{psi['value']:.4f}",
            word=stability_word(psi["value"]),
        ),
    )


def band_labels(cuts: list[float]) -> list[str]:
    """The PD bands the training's deciles cut; a PD equal to a cut counts in the band above it
    (``metrics.shares_over``)."""
    shown = [f"{c:.4f}" for c in cuts]
    if not shown:
        return [_("all")]
    middle = [f"[{a}, {b})" for a, b in zip(shown, shown[1:], strict=False)]
    return [f"< {shown[0]}", *middle, f"≥ {shown[-1]}"]


def _csi(version: ScoringModel) -> Figure:
    csi = version.figures.get("csi", {})
    rows = [
        {"feature": wording.column_title(name), "csi": round(value, 4), "word": stability_word(value)}
        for name, value in csi.items()
    ]
    return Figure(
        "csi",
        _("Stability of each column (CSI), held-out rows against training"),
        (Column("feature", _("Column")), Column("csi", _("CSI"), "ratio"), Column("word", _("Reading"))),
        rows,
        Chart("bar", "feature", ("csi",)),
    )


def _iv(found: dict) -> Figure:
    rows = [
        {
            "feature": wording.column_title(e["feature"]),
            "iv": round(e["iv"], 4),
            "bins": len(e["bins"]),
            "monotonic": _("yes") if e["monotonic"] else _("no"),
        }
        for e in sorted(found.get("bins", []), key=lambda e: -e["iv"])
    ]
    return Figure(
        "iv",
        _("Information value of each column"),
        (
            Column("feature", _("Column")),
            Column("iv", _("IV"), "ratio"),
            Column("bins", _("Bins"), "count"),
            Column("monotonic", _("Monotonic")),
        ),
        rows,
        Chart("bar", "feature", ("iv",)),
        note=_("Under 0.02 useless (left out), 0.02–0.1 weak, 0.1–0.3 medium, over 0.3 strong."),
    )


def _bin_label(b: dict, kind: str, source: str) -> str:
    """A bin as the reader names it: its values or interval, "missing values", "other values" in their words."""
    if b.get("missing"):
        return _("Missing values")
    label = b["label"]
    if kind == "categorical" and label:
        more = label.endswith(" …")
        values = label.removesuffix(" …").split(" / ")
        label = " / ".join(wording.category(v, source) for v in values) + (" …" if more else "")
    if b.get("other"):
        return " / ".join(part for part in (label, _("other values")) if part)
    return label


def _bins(position: int, entry: dict, source: str) -> Figure:
    """Keyed by position: a column's name (Chinese, or with ``/``) is no file or sheet name."""
    rows = [
        {
            "bin": _bin_label(b, entry.get("kind", ""), source),
            "rows": b["rows"],
            "bads": b["bads"],
            "bad_rate": _pct(b["bad_rate"]),
            "woe": round(b["woe"], 4),
            "points": round(b["points"], 1),
        }
        for b in entry["bins"]
    ]
    return Figure(
        f"bins-{position}",
        _("Bins and points: %(column)s", column=wording.column_title(entry["feature"])),
        (
            Column("bin", _("Bin")),
            Column("rows", _("Rows"), "count"),
            Column("bads", _("Defaults"), "count"),
            Column("bad_rate", _("Default rate"), "pct"),
            Column("woe", _("WoE"), "ratio"),
            Column("points", _("Points"), "ratio"),
        ),
        rows,
        Chart("bar", "bin", ("points",)),
        note=_(
            "IV %(iv)s; coefficient %(coefficient)s.",
            iv=f"{entry['iv']:.4f}",
            coefficient=f"{entry['coefficient']:.4f}",
        ),
    )
