"""Stress tests (压力测试): scenarios, the vectorized run over the book, its runs and results."""
