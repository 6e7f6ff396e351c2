"""Writers of suggestion models that other apps call for work that is theirs to decide but not
theirs to store: supervision moves open deadlines (`deadlines`), reports' history import creates
closed suggestions in bulk (`history`). The caller checks permission and writes its own audit
rows in the same transaction; these functions only lock and write the suggestion app's rows, so
that no other app saves a suggestion model itself (decision 0007, docs/ARCHITECTURE.md "Layers").
"""
