"""Notices (通知): the in-app inbox, e-mail and SMS delivery, deadline reminders and escalation
(催办), and the periodic scan that finds what to say.

- `models.py`: `Notice` (one message to one person, unique by an idempotency `key`), `Delivery` (the
  outbox row of one notice on one channel), `DeadlineReminder` (one reminder stage of one deadline,
  handled once), `ScanCursor` (how far the scan has read the audit trail);
- `scan.py`: the periodic scan, set-based (a fixed number of queries however many items);
- `delivery.py`: the outbox worker (claim, send, mark, retry, quiet hours, sweep);
- `actions.py`: `do_urge` (催办 by hand) and marking notices read;
- `tasks.py`: the django-tasks task that sends the outbox soon after a commit (the periodic run,
  `minyi.core.periodic`, is the backstop);
- `selectors.py`, `views.py`: the inbox.
"""
