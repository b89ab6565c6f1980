"""Analytics pages (分析): the hub and its tabs (portfolio, KPIs, stress tests, the case library, training)."""
