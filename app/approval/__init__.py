"""Approval rules that are code, not policy numbers: the numbers come from DMN tables."""
