"""Analytics (分析): the portfolio dashboard's figures as last precomputed."""

from app.models.analytics.summary import PortfolioSummary

__all__ = ["PortfolioSummary"]
