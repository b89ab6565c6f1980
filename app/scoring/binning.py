"""Coarse classing for a scorecard: each feature's bins, their weight of evidence (WoE) and information value (IV).

With G goods and B bads in all, and g_i, b_i in bin i (each smoothed by 0.5 so that no bin divides by zero):

    WoE_i = ln( (g_i / G) / (b_i / B) )        positive where the bin holds proportionally more goods
    IV    = Σ_i (g_i / G − b_i / B) · WoE_i    < 0.02 useless, 0.02–0.1 weak, 0.1–0.3 medium, > 0.3 strong

**Numeric**: fine classes at up to ``FINE_BINS`` quantiles; then adjacent classes are merged while one holds
fewer than ``MIN_SHARE`` of the rows or no good or no bad. A **monotonic** feature (the default; the bank may
name fewer) is then merged while the bad rate turns against its trend (its sign over the classes' order):
pooling the neighbours that break the order is restraint enough, and keeps the steps a small sample shows.
A feature left free of order is instead merged while two neighbours' bad rates do not differ at 1%
(ChiMerge: Pearson's χ² of their 2×2 table under 6.635), so a feature with no signal collapses to one bin
(and is left out). Then down to ``MAX_BINS``, always the adjacent pair whose bad rates are closest. Missing
values get a bin of their own.
**Categorical**: first the whole column is tested (Pearson's χ² of its values against default, p under 5%):
sorting categories by their bad rate and testing neighbours would find differences in pure noise, so a
column that fails is one bin (and left out). Otherwise one class per value; values under ``MIN_SHARE`` of
the rows join an "other" class; the classes ordered by bad rate are merged by ChiMerge as above.

At scoring a value goes to its bin: a number by the edges, an unseen category to "other" when there is
one, and a missing value (or an unseen category with no "other") to the missing bin when there is one,
else to the bin with the highest bad rate, so a value the data never showed never scores better than
the worst seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency

FINE_BINS = 20
MIN_SHARE = 0.05
MAX_BINS = 6
SMOOTH = 0.5
CHI2_SIGNIFICANT = 6.635  # χ² with one degree of freedom at 1%
# a categorical column is binned only when its values and default are related at 5%
CATEGORIES_SIGNIFICANT = 0.05
OTHER = "\x00other"  # the rare and unseen values' bin: a key no cell can hold (a cell with a NUL is refused)


@dataclass
class Bin:
    """``low``/``high`` bound a numeric bin (low < x ≤ high); ``values`` lists a categorical bin's values."""

    label: str
    goods: int
    bads: int
    low: float | None = None
    high: float | None = None
    values: list[str] = field(default_factory=list)
    missing: bool = False
    woe: float = 0.0

    @property
    def rows(self) -> int:
        return self.goods + self.bads

    @property
    def bad_rate(self) -> float:
        return self.bads / self.rows if self.rows else 0.0


@dataclass
class Binning:
    """A feature's bins in order (numeric by edge, categorical by bad rate), the missing bin last if any."""

    feature: str
    kind: str
    bins: list[Bin]
    iv: float
    monotonic: bool = False

    def assign(self, values: pd.Series) -> np.ndarray:
        """The index of each value's bin (rules in the module docstring)."""
        fallback = self._fallback()
        if self.kind == "numeric":
            numbers = values.to_numpy(dtype=float, na_value=np.nan)
            edges = np.array([b.high for b in self.bins if not b.missing][:-1], dtype=float)
            index = np.searchsorted(edges, numbers, side="left")
            return np.where(np.isnan(numbers), fallback, index)
        lookup = {value: position for position, b in enumerate(self.bins) for value in b.values}
        other = lookup.get(
            OTHER, self._worst()
        )  # an unseen value: "other", else the worst bin, never the missing one
        missing_bin = self._missing_index()
        out = np.empty(len(values), dtype=np.int64)
        for position, value in enumerate(values.to_numpy(dtype=object)):
            if value is None or (isinstance(value, float) and np.isnan(value)):
                out[position] = missing_bin if missing_bin is not None else fallback
            else:
                out[position] = lookup.get(value, other)
        return out

    def woe_of(self, values: pd.Series) -> np.ndarray:
        return np.array([b.woe for b in self.bins])[self.assign(values)]

    def _missing_index(self) -> int | None:
        return next((i for i, b in enumerate(self.bins) if b.missing), None)

    def _fallback(self) -> int:
        missing = self._missing_index()
        return missing if missing is not None else self._worst()

    def _worst(self) -> int:
        """The bin with the lowest WoE (the most defaults for its goods)."""
        return int(np.argmin([b.woe for b in self.bins]))


def bin_feature(name: str, kind: str, values: pd.Series, bad: np.ndarray, monotonic: bool) -> Binning:
    """The feature's bins, WoE and IV over the training rows (``bad``: 1 = default)."""
    if kind == "numeric":
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        present = ~np.isnan(numbers)
        bins = _numeric_bins(numbers[present], bad[present], monotonic)
        missing_bad = bad[~present]
    else:
        texts = values.to_numpy(dtype=object)
        present = np.array([v is not None for v in texts], dtype=bool)
        bins = _categorical_bins(texts[present], bad[present])
        missing_bad = bad[~present]
    if len(missing_bad):
        bins.append(
            _counted("", missing_bad, missing=True)
        )  # labelled where it is shown, in the reader's words
    iv = _weigh(bins, int(bad.sum()), int(len(bad) - bad.sum()))
    return Binning(name, kind, bins, iv, monotonic and kind == "numeric")


def _counted(label: str, bad: np.ndarray, **kwargs) -> Bin:
    bads = int(bad.sum())
    return Bin(label, int(len(bad) - bads), bads, **kwargs)


def _numeric_bins(numbers: np.ndarray, bad: np.ndarray, monotonic: bool) -> list[Bin]:
    if not len(numbers):
        return []
    edges = np.unique(np.quantile(numbers, np.linspace(0, 1, FINE_BINS + 1)[1:-1]))
    index = np.searchsorted(edges, numbers, side="left")
    highs = list(edges) + [np.inf]
    bins = [
        Bin(
            "",
            int(((index == i) & (bad == 0)).sum()),
            int(((index == i) & (bad == 1)).sum()),
            high=float(highs[i]),
        )
        for i in range(len(highs))
    ]
    bins = [b for b in bins if b.rows]
    bins = _merge(bins, len(numbers), monotonic)
    low: float | None = -np.inf
    for b in bins:
        b.low, low = low, b.high
        b.label = _interval(b.low, b.high)
    return bins


def _categorical_bins(texts: np.ndarray, bad: np.ndarray) -> list[Bin]:
    if not len(texts):
        return []
    frame = pd.DataFrame({"value": texts, "bad": bad})
    counts = frame.groupby("value", sort=True)["bad"].agg(["size", "sum"])
    if not _related(counts):
        return [_counted("", bad, values=[str(v) for v in counts.index] + [OTHER])]
    small = counts["size"] < MIN_SHARE * len(texts)
    bins = [
        Bin(str(v), int(r["size"] - r["sum"]), int(r["sum"]), values=[str(v)])
        for v, r in counts[~small].iterrows()
    ]
    if small.any():
        rest = counts[small]
        bins.append(
            Bin(
                OTHER,
                int((rest["size"] - rest["sum"]).sum()),
                int(rest["sum"].sum()),
                values=[str(v) for v in rest.index] + [OTHER],
            )
        )
    bins.sort(key=lambda b: b.bad_rate)
    bins = _merge(bins, len(texts), monotonic=False)
    for b in bins:
        shown = [v for v in b.values if v != OTHER]
        b.label = " / ".join(shown[:6]) + (" …" if len(shown) > 6 else "")
    return bins


def _related(counts: pd.DataFrame) -> bool:
    """Whether a column's values and default are related (χ² test of independence, p under 5%)."""
    table = np.column_stack([counts["size"] - counts["sum"], counts["sum"]])
    table = table[table.sum(axis=1) > 0]
    if len(table) < 2 or (table.sum(axis=0) == 0).any():
        return False
    return bool(chi2_contingency(table, correction=False).pvalue < CATEGORIES_SIGNIFICANT)


def _merge(bins: list[Bin], total: int, monotonic: bool) -> list[Bin]:
    """Merge adjacent bins: too small or one-class first, then against the trend, then down to MAX_BINS."""
    while len(bins) > 1:
        # a bin of one class is merged only when small too: a large bin with no default is the strongest signal
        weak = [
            i
            for i, b in enumerate(bins)
            if b.rows < MIN_SHARE * total or (not (b.goods and b.bads) and b.rows < 2 * MIN_SHARE * total)
        ]
        if not weak:
            break
        i = weak[0]
        j = i - 1 if i == len(bins) - 1 or (i > 0 and _closer(bins, i - 1, i + 1, i)) else i + 1
        bins = _join(bins, min(i, j))
    while len(bins) > 1 and not monotonic:
        stats = [_chi2(bins[i], bins[i + 1]) for i in range(len(bins) - 1)]
        if min(stats) >= CHI2_SIGNIFICANT:
            break
        bins = _join(bins, int(np.argmin(stats)))
    if monotonic:
        while len(bins) > 2:
            trend = np.sign(bins[-1].bad_rate - bins[0].bad_rate) or 1.0
            against = [
                i for i in range(len(bins) - 1) if (bins[i + 1].bad_rate - bins[i].bad_rate) * trend < 0
            ]
            if not against:
                break
            bins = _join(bins, min(against, key=lambda i: abs(bins[i + 1].bad_rate - bins[i].bad_rate)))
    while len(bins) > MAX_BINS:
        bins = _join(
            bins, min(range(len(bins) - 1), key=lambda i: abs(bins[i + 1].bad_rate - bins[i].bad_rate))
        )
    return bins


def _chi2(a: Bin, b: Bin) -> float:
    """Pearson's χ² of the 2×2 table of two bins' goods and bads (ChiMerge's test of whether they differ)."""
    total = a.rows + b.rows
    goods, bads = a.goods + b.goods, a.bads + b.bads
    stat = 0.0
    for observed, rows, column in (
        (a.goods, a.rows, goods),
        (a.bads, a.rows, bads),
        (b.goods, b.rows, goods),
        (b.bads, b.rows, bads),
    ):
        expected = rows * column / total
        stat += (observed - expected) ** 2 / expected if expected else 0.0
    return stat


def _closer(bins: list[Bin], left: int, right: int, i: int) -> bool:
    return abs(bins[left].bad_rate - bins[i].bad_rate) <= abs(bins[right].bad_rate - bins[i].bad_rate)


def _join(bins: list[Bin], i: int) -> list[Bin]:
    a, b = bins[i], bins[i + 1]
    joined = Bin(
        a.label, a.goods + b.goods, a.bads + b.bads, low=a.low, high=b.high, values=a.values + b.values
    )
    return bins[:i] + [joined] + bins[i + 2 :]


def _weigh(bins: list[Bin], bads: int, goods: int) -> float:
    iv = 0.0
    for b in bins:
        share_good = (b.goods + SMOOTH) / (goods + SMOOTH * len(bins))
        share_bad = (b.bads + SMOOTH) / (bads + SMOOTH * len(bins))
        b.woe = float(np.log(share_good / share_bad))
        iv += (share_good - share_bad) * b.woe
    return float(iv)


def _interval(low: float | None, high: float | None) -> str:
    def shown(x: float | None) -> str:
        return "∞" if x is None or np.isinf(x) else f"{x:.4g}"

    closed = ")" if high is None or np.isinf(high) else "]"  # infinity is never reached
    return f"({'-∞' if low is None or np.isinf(low) else shown(low)}, {shown(high)}{closed}"
