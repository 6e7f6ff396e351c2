"""Quarterly awards (季度评选): rounds with two tracks — excellent suggestions (优秀建议) and advanced
handling units (先进承办单位) — nominees proposed from the quarter's records, a judges' panel with
conflict-of-interest exclusion, weighted criteria, scores, openly tied rankings, approval and
publication. Published awards feed the points ledger through `selectors.awarded_suggestions`."""
