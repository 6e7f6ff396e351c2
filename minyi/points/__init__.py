"""Deputy performance points (代表履职积分): a versioned rule table, a ledger rebuilt from the source
events (audit rows, published awards, liaison-station attendance, reviewed manual entries and
objection decisions), the deputy's record (履职档案), objections, rankings (亮分) and monthly
expectations. See docs/user-guide/awards-and-points.md."""
