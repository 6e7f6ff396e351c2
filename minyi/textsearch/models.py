"""The search index: one `SearchEntry` per suggestion, reply and voter opinion, holding its text
segmented by jieba (`terms`, space-separated), with each database's own full-text index over it —
SQLite: the FTS5 table `textsearch_fts` (external content = this table, kept by triggers; `FtsRow`
maps it for joins), PostgreSQL: a GIN index on ``to_tsvector('simple', terms)`` (migration 0001).
Derived data only: `manage.py rebuild_search_index` writes it again from the records."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    class Kind(models.TextChoices):
        SUGGESTION = "suggestion", _("建议")
        REPLY = "reply", _("答复")
        OPINION = "opinion", _("社情民意")

    congress = models.ForeignKey("congress.Congress", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    #: the pk of the suggestion, reply or opinion
    object_id = models.PositiveBigIntegerField()
    #: the suggestion itself, or the one a reply answers
    suggestion = models.ForeignKey(
        "suggestions.Suggestion", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    opinion = models.ForeignKey(
        "intake.Opinion", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        "congress.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: a suggestion's (and its replies') year of acceptance, else the year it was created; an
    #: opinion's year of collection
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=300)
    #: the original plain text (for snippets)
    text = models.TextField(_("正文"), blank=True)
    #: jieba's tokens of title and text, space-separated
    terms = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("检索条目")
        verbose_name_plural = _("检索条目")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="searchentry_one_per_object")
        ]
        indexes = [models.Index(fields=["congress", "kind", "year"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id}"


class FtsRow(models.Model):
    """The SQLite FTS5 table over `SearchEntry.terms` (rowid = the entry's id), for joins; it does
    not exist on PostgreSQL."""

    entry = models.OneToOneField(
        SearchEntry,
        primary_key=True,
        db_column="rowid",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="fts",
    )
    terms = models.TextField()

    class Meta:
        managed = False
        db_table = "textsearch_fts"

    def __str__(self) -> str:
        return f"fts #{self.pk}"
