"""Documents rendered from a case: the pieces that are not templates (charts)."""
