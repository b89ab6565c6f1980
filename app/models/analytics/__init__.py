"""Analytics (分析): the portfolio dashboard's figures as last precomputed; the case library's analyses (案例库)."""

from app.models.analytics.case_analysis import CaseAnalysis
from app.models.analytics.summary import KpiSummary, PortfolioSummary

__all__ = ["CaseAnalysis", "KpiSummary", "PortfolioSummary"]
