"""The audit trail. Import `record` and `snapshot` from here:

from minyi import audit
audit.record("policy.updated", actor=user, congress=c, obj=policy, old=..., new=...)
"""


def record(code, **kwargs):
    from .services import record as _record

    return _record(code, **kwargs)


def snapshot(obj, fields):
    from .services import snapshot as _snapshot

    return _snapshot(obj, fields)
