"""Assemble real_suggestions.json from the hand-transcribed records in items_part*.py.

Every record was copied from a page returned by the `search` tool (corpus "pages") on 2026-12-07;
see README.md. Run: python3 bench/routing/build.py
"""

import importlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = HERE.parent.parent / "minyi" / "core" / "management" / "commands" / "seed_demo.py"
PARTS = [f"items_part{i}" for i in range(1, 8)]
#: Items whose stored page text shows no heading (reply letters that open with the salutation, or
#: news items whose headline was not in the stored text): their source_title is a descriptive label
#: composed from the signatory, addressee and session, not the page's own title.
COMPOSED_SOURCE_TITLE = {
    "关于帮助解决全乡师生使用太阳能、热水器等困难的建议",
    "关于中厂村至军南线连接线道路硬化的建议",
    "关于把辽河碑林作为盘锦市中小学生教育实践基地的建议",
    "关于“新孟路里村（田寺）口增设手动控制信号灯”的建议",
    "关于加强基层医疗卫生队伍及村卫生室建设",
    "关于把好我市环境准入关的建议",
    "关于完善基层学校设施建设的建议",
    "关于将赧场完全小学整体搬迁的建议",
    "关于金沙镇希望路至尚德路朝霞路以南横河绿化带加装路灯的建议",
    "关于加强早市车辆停放管理的建议",
    "关于退役转业军人政策优抚的建议",
    "关于加大乡村旅游开发（以雪山为例）的建议",
    "关于皖宝秀山矿道路灰尘污染及道路安全问题的建议",
    "关于增设红绿灯解决万达门口车辆违停管理和添加指示红绿灯的建议",
    "关于强化农村养殖户排污管理利用的建议",
    "关于加快建设水头至坝尾小河流域治理的建议",
    "关于对1998-2003年被征地人员购买养老保险的建议",
    "关于支持郧阳革命烈士陵园改扩建项目的建议",
    "关于建设稻花鱼节广场的建议",
    "关于森林山火防控及宣传的建议",
}
#: Items whose excerpt quotes the suggestion itself (a 内容/建议内容 field on the page). All other
#: excerpts quote the department's reply or a news report, and may name or imply the handler.
FROM_SUGGESTION = {
    "关于都龙小学校搬迁的建议",
    "关于金沙镇希望路至尚德路朝霞路以南横河绿化带加装路灯的建议",
    "关于加强农村居民用水安全监管的建议",
    "关于皖宝秀山矿道路灰尘污染及道路安全问题的建议",
}

HOW = (
    "Collected on 2026-12-07 with the sandbox's `search` tool (stored public web pages, corpus 'pages'; "
    "the live web was not reachable). Queries imitated the wording of published replies to deputies' "
    "suggestions (e.g. '代表：你提出的《关于…的建议》收悉 现答复如下 …局', '对…县第…届人民代表大会第…次会议第…号建议的答复', "
    "'代表建议、批评和意见 题目 主办单位 协办单位 办理情况'). Only 人大代表建议 (and one county 议事原案) were kept; "
    "政协提案, 12345 hotline and message-board replies were discarded. Title, excerpt and handling department were "
    "transcribed from the page text (pages stored in traditional characters on mirror domains were transcribed to "
    "simplified characters; this is noted per item). The department was then mapped by function to one unit of "
    "the demo district (seed_demo.UNITS); items with no functional counterpart are listed under 'unmapped'. "
    "No item was written or paraphrased by the collector; excerpts are short quotations from the page (either the "
    "suggestion text or the reply; see excerpt_source). source_title is the page heading unless "
    "source_title_is_page_heading is false, in which case it is a descriptive label for a page without one. "
    "Optional 'note' explains mirrors, inferred departments and hard cases. Rebuild with bench/routing/build.py."
)


def demo_unit_names() -> set[str]:
    text = SEED.read_text(encoding="utf-8")
    block = text[text.index("UNITS = [") : text.index("#: Workplaces")]
    names = set(re.findall(r'\("(示范区[^"]+)"', block))
    towns = re.findall(r'\("([^"]+?)", "(街道|镇)"\)', text)
    for town, kind in towns:
        names.add(f"示范区{town}{'办事处' if kind == '街道' else '人民政府'}")
    return names


def main() -> int:
    sys.path.insert(0, str(HERE))
    units = demo_unit_names()
    items, unmapped, seen = [], [], set()
    for part in PARTS:
        for title, excerpt, dept, unit, url, source_title, note in importlib.import_module(part).ITEMS:
            key = (title, url)
            assert key not in seen, f"duplicate: {key}"
            seen.add(key)
            rec = {
                "title": title,
                "excerpt": excerpt,
                "excerpt_source": "suggestion" if title in FROM_SUGGESTION else "reply_or_report",
                "department_as_published": dept,
                "demo_unit": unit,
                "source_url": url,
                "source_title": source_title,
                "source_title_is_page_heading": title not in COMPOSED_SOURCE_TITLE,
            }
            if unit is None:
                rec.pop("demo_unit")
                rec["reason"] = note
                unmapped.append(rec)
            else:
                assert unit in units, f"not a demo unit: {unit}"
                if note:
                    rec["note"] = note
                items.append(rec)
    out = {"collected_on": "2026-12-07", "how": HOW, "items": items, "unmapped": unmapped}
    (HERE / "real_suggestions.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    dist = Counter(i["demo_unit"] for i in items)
    hosts = {re.sub(r"^https?://(www\.)?", "", i["source_url"]).split("/")[0] for i in items + unmapped}
    print(
        f"items={len(items)} unmapped={len(unmapped)} pages={len({i['source_url'] for i in items + unmapped})} sites={len(hosts)}"
    )
    for unit, n in dist.most_common():
        print(f"  {n:3d}  {unit}")
    missing = sorted(u for u in units if u not in dist)
    print("units without items:", ", ".join(missing))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
