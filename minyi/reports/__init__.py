"""Figures (统计): read-only. Every figure of DOMAIN.md §5 for a congress and a scope, with its
numerator, denominator, definition and drill-down (`figures.py`), and the handling units' league
table with Wilson intervals (`league.py`). Nothing here writes to the database."""
