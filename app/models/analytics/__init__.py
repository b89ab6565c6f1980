"""Analytics (分析): the case library's analyses (案例库)."""

from app.models.analytics.case_analysis import CaseAnalysis

__all__ = ["CaseAnalysis"]
