"""The taxonomies a new congress starts with (DOMAIN.md §2, §3): categories, key themes, channels
(with their grassroots flag), result classes A–D and the reasons for not accepting a suggestion.
`do_create_congress` adds them (each an audited `do_add_taxonomy_item`), and the demo uses the same
lists; a congress admin edits them afterwards on the policy pages.
"""

from __future__ import annotations

CATEGORIES = [
    "城乡建设", "教育科技", "卫生健康", "民政社保", "生态环境",
    "交通运输", "农业农村", "政法监察", "经济发展", "其他",
]  # fmt: skip
THEMES = [
    "物业管理", "居家养老", "乡村振兴", "老旧小区改造", "学前教育",
    "停车难", "垃圾分类", "河道治理", "食品安全", "营商环境",
]  # fmt: skip
#: (name, counts toward the grassroots share)
CHANNELS = [
    ("联络站接待选民", True),
    ("代表走访调研", True),
    ("室点问政", True),
    ("局长·代表面对面", True),
    ("网络征集", False),
    ("视察调研", False),
    ("其他", False),
]
#: (code, name, description, counts_as_resolved, requires_commitments) — DOMAIN.md §3.
RESULT_CLASSES = [
    ("A", "已解决或基本解决", "建议所提问题已经解决或基本解决", True, False),
    ("B", "正在解决或列入计划解决", "已在解决或已列入工作计划，须写明承诺事项和完成时间", False, True),
    ("C", "因条件限制需以后解决", "受目前条件限制，待条件具备时解决，须写明承诺事项", False, True),
    ("D", "留作参考", "因法律法规、政策或客观条件所限，留作工作参考", False, False),
]
#: Not acceptable as a suggestion (DOMAIN.md §3.2, the union of the national and local lists).
EXCLUSION_REASONS = [
    "涉及代表本人及其亲属的个人问题",
    "代转人民群众来信",
    "属于学术探讨、产品推介",
    "没有具体内容",
    "涉及正在司法程序中的具体案件",
    "检举、控告、申诉",
    "其他",
]


#: (kind for `do_add_taxonomy_item`, fields) of every default item, in order.
def default_items() -> list[tuple[str, dict]]:
    return [
        *(("categories", {"name": name}) for name in CATEGORIES),
        *(("themes", {"name": name}) for name in THEMES),
        *(("channels", {"name": name, "grassroots": grassroots}) for name, grassroots in CHANNELS),
        *(
            (
                "results",
                {
                    "code": code,
                    "name": name,
                    "description": description,
                    "counts_as_resolved": resolved,
                    "requires_commitments": commitments,
                },
            )
            for code, name, description, resolved, commitments in RESULT_CLASSES
        ),
        *(("exclusions", {"name": name}) for name in EXCLUSION_REASONS),
    ]
