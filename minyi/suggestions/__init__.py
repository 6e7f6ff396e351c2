"""The suggestion lifecycle (代表建议): drafting and co-signing, review, assignment, handling, reply,
evaluation, re-handling, closing and the commitment ledger.

- `states.py`: every state and allowed move (one table), mirrored in docs/WORKFLOW.md;
- `models.py`: the rows; `actions/`: the only writers (`do_*`); `selectors.py`: reads and the
  `access_*` helpers (404 for missing or forbidden); `rules.py`: named permissions.
"""
