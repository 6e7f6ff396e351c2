"""The suggestion pages, by role area: `pages` (work list, list, detail, files, reply letter) for
everyone, `drafting` and `deputy` for deputies, `clerk` for congress staff and coordinators, `unit`
for handling units. Every action is a `Step` (see `_common`); `registry.STEPS` holds them all."""
