"""Finding and masking personal data in the texts a congress publishes (issue #14).

Before a suggestion or a reply is published, its text is searched for the personal data of the
people it mentions — residents' names, mobile and fixed-line phone numbers, ID-card numbers, home
addresses down to the door, licence plates — and each finding is shown to the clerk, who confirms
the masking (or adds what the search missed). Nothing is ever published unmasked: the public site
serves only the masked text the clerk confirmed.

The search errs on the side of finding too much (the clerk un-ticks a public building's address or
an official's name); a miss is the failure that matters. Names are the hard part: Chinese text has no
capital letters, so a name is found (1) as one of the names the caller knows (the residents of the
congress's opinions, `known`), (2) by its cue — 居民张某某, 联系人：…, 王先生, 李大爷 — or (3) by
jieba's part-of-speech tagger (`nr`, a person's name) when it begins with a common surname. Names
after a public title (局长, 主任, 代表…) and the names the caller marks public (`public`: the
congress's deputies, its units' leaders) are left alone.

`find(text, known=…, public=…)` gives the findings, `mask(text, findings)` the masked text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

import jieba
import jieba.posseg

jieba.setLogLevel(logging.WARNING)

NAME, PHONE, ID_CARD, ADDRESS, PLATE = "name", "phone", "id_card", "address", "plate"
KINDS = (NAME, PHONE, ID_CARD, ADDRESS, PLATE)

_HAN = r"\u4e00-\u9fff"
#: Mobile numbers (with +86, spaces or hyphens inside) and fixed lines with their area code.
_PHONE = re.compile(
    r"(?<![0-9])(?:(?:\+?86)[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?![0-9])"
    r"|(?<![0-9])0\d{2,3}[-－—]\d{7,8}(?![0-9])"
)
#: A local number without its area code, where the text says it is a phone number.
_PHONE_CUED = re.compile(r"(?:电话|座机|手机|联系方式)[：:\s]*(\d{7,8})(?![0-9])")
#: 18-digit ID numbers (the last may be X) and the old 15-digit ones, by their date of birth.
_ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    r"(?![0-9A-Za-z])"
    r"|(?<![0-9A-Za-z])[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])"
)
#: Plates: a province's character, a letter, then five or six letters and digits (new-energy six).
_PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领]"
    r"[A-HJ-NP-Z][·•\s]?[A-HJ-NP-Z0-9]{5,6}(?![0-9A-Za-z])"
)
#: A home address: a door (N号楼, N栋, N单元, N室…) after a road, an estate or a village — a road or
#: an estate alone is a place everyone may name.
_PLACE = (
    rf"[{_HAN}A-Za-z0-9]{{1,14}}?(?:路|街|大道|巷|弄|胡同|里|村|组|小区|花园|家园|新村|公寓|苑|大厦|社区)"
)
_DOOR = r"\d+(?:-\d+)?\s*(?:号楼|号院|栋|幢|座|单元|层|楼|室|户|号)"
_ADDRESS = re.compile(rf"(?:{_PLACE})\s*(?:{_DOOR})(?:\s*{_DOOR})*|(?<![0-9])(?:{_DOOR})(?:\s*{_DOOR})+")
#: Cues before a name (居民张三, 联系人：李四) and after a surname (王先生, 李大爷, 赵阿姨).
_CUE_BEFORE = re.compile(
    rf"(?:居民|村民|市民|群众|业主|住户|租户|商户|患者|家属|老人|学生|家长|联系人|反映人|来访人|姓名)[：:\s]*"
    rf"([{_HAN}]{{2,4}}?)(?=[，,。、；;：:\s（(）)反说称表提向的家和与]|$)"
)
_CUE_AFTER = re.compile(rf"([{_HAN}]{{1,3}}?)(?:先生|女士|大爷|大妈|大娘|阿姨|老人|师傅|奶奶|爷爷)")
#: Titles of public office: a name after one of these is an official's, not a resident's.
_PUBLIC_TITLE = re.compile(
    r"(?:局长|主任|书记|科长|处长|区长|市长|县长|镇长|乡长|代表|委员|主席|部长|经理|院长|校长)$"
)
#: The most common surnames (two-character ones first): a tagged or cued name must begin with one.
#: Surnames that are also everyday words (车, 文, 安, 常, 管…) are left out: 车主王先生 is 王先生.
SURNAMES = (  # noqa: SIM905 - a table of surnames reads best as text
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 "
    "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 "
    "董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 夏 韦 付 方 白 "
    "邹 孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱 严 覃 武 戴 莫 孔 汤 温 "
    "康 施 牛 樊 葛 邢 齐 易 乔 伍 庞 颜 倪 庄 聂 章 鲁 岳 翟 殷 詹 申 欧 耿 关 兰 焦 俞 左 柳 甘 祝 "
    "包 舒 阮 柯 纪 梅 童 凌 毕 季 裴 霍 涂 苗 谷 盛 曲 翁 冉 骆 蓝 游 辛 靳 柴 蒙 鲍 "
    "华 喻 祁 蒲 滕 屈 饶 牟 尤 穆 卓 缪 芦 麦 褚 娄 窦 戚 岑 "
    "卜 晏 柏 瞿 桂 佟 臧 闵 苟 邬 卞 姬 仇 栾 隋 刁 荣 巫 "
    "甄 丛 虞 敖 巩 佘 邝 "
).split()


@dataclass(frozen=True, order=True)
class Finding:
    """`text[start:end]` is personal data of `kind`."""

    start: int
    end: int
    kind: str
    text: str


def find(text: str, *, known: Iterable[str] = (), public: Iterable[str] = ()) -> list[Finding]:
    """Every piece of personal data in `text`, in order, overlapping findings merged (the longer
    wins). `known`: names to find wherever they appear; `public`: names never to flag."""
    if not text:
        return []
    public_names = {p for p in public if p}
    # what the caller says is public, wherever it stands in the text (a confirmed 李大爷 covers the 李
    # the cue finds in it; a government office's confirmed address covers its number)
    covered = [(m.start(), m.end()) for name in public_names for m in re.finditer(re.escape(name), text)]
    found = [
        *_by_pattern(text, _ID_CARD, ID_CARD),
        *_by_pattern(text, _PHONE, PHONE),
        *_by_pattern(text, _PHONE_CUED, PHONE, group=1),
        *_by_pattern(text, _PLATE, PLATE),
        *map(_trim_address, _by_pattern(text, _ADDRESS, ADDRESS)),
        *_names(text, known, public_names),
    ]
    return [
        Finding(f.start, f.end, f.kind, text[f.start : f.end])
        for f in _merge(found)
        if not any(start <= f.start and f.end <= end for start, end in covered)
        and not (f.kind == NAME and _MASKED_NAME.match(text[f.start : f.end]))
    ]


#: A name already masked (张某某, 李某): what `mask` writes is not personal data any more.
_MASKED_NAME = re.compile(r"^[^\W\d某]{1,2}某+$")


def mask(text: str, findings: Iterable[Finding]) -> str:
    """`text` with each finding masked: a name keeps its surname (张某某), a phone its first three and
    last two digits, an ID card its first six (the region), a plate its province, an address its
    road or estate with every number starred."""
    out, at = [], 0
    for f in sorted(findings):
        if f.start < at:
            continue
        out.append(text[at : f.start])
        out.append(_masked(f))
        at = f.end
    out.append(text[at:])
    return "".join(out)


def _masked(f: Finding) -> str:
    if f.kind == NAME:
        surname = _leading_surname(f.text) or f.text[:1]
        return surname + "某" * max(1, len(f.text) - len(surname))
    if f.kind == PHONE:
        digits = re.sub(r"\D", "", f.text)
        return (
            digits[:3] + "*" * max(0, len(digits) - 5) + digits[-2:] if len(digits) > 5 else "*" * len(digits)
        )
    if f.kind == ID_CARD:
        return f.text[:6] + "*" * (len(f.text) - 6)
    if f.kind == PLATE:
        return f.text[:1] + "*" * (len(f.text) - 1)
    return re.sub(r"\d", "*", f.text)  # an address


def _by_pattern(text: str, pattern: re.Pattern[str], kind: str, group: int = 0) -> list[Finding]:
    return [
        Finding(m.start(group), m.end(group), kind, m.group(group))
        for m in pattern.finditer(text)
        if m.group(group).strip()
    ]


#: Words that end the lead-in of an address: what comes after them is the place (家住在|幸福路…).
_ADDRESS_LEAD = re.compile(r"^.*(?:住在|家住|位于|住址|地址|住|在|于|到|至|是|为)")


def _trim_address(f: Finding) -> Finding:
    lead = _ADDRESS_LEAD.match(f.text[: re.search(r"\d", f.text).start()])  # type: ignore[union-attr]
    if not lead:
        return f
    return Finding(f.start + lead.end(), f.end, f.kind, f.text[lead.end() :])


def _names(text: str, known: Iterable[str], public: set[str]) -> list[Finding]:
    spans = [*_known_names(text, known), *_cued_names(text), *_tagged_names(text)]
    return [
        Finding(start, end, NAME, text[start:end])
        for start, end in spans
        if text[start:end] not in public and not _PUBLIC_TITLE.search(text[max(0, start - 4) : start])
    ]


def _known_names(text: str, known: Iterable[str]) -> list[tuple[int, int]]:
    return [
        (m.start(), m.end())
        for name in {k for k in known if k and len(k) >= 2}
        for m in re.finditer(re.escape(name), text)
    ]


def _cued_names(text: str) -> list[tuple[int, int]]:
    spans = [(m.start(1), m.end(1)) for m in _CUE_BEFORE.finditer(text) if _leading_surname(m.group(1))]
    for m in _CUE_AFTER.finditer(text):
        before, start, end = m.group(1), m.start(1), m.end(1)
        if _leading_surname(before):  # 张建国大爷, 王先生: the whole (not 高龄老人: a word)
            if len(before) == 1 or (jieba.dt.FREQ.get(before) or 0) < _COMMON_WORD_FREQ:
                spans.append((start, end))
        elif trail := _trailing_surname(before):  # 找到王先生, 老李师傅: the surname
            spans.append((end - len(trail), end))
    return spans


#: What follows a place's name, not a person's: jieba tags 白沙 in 白沙镇卫生院 as a name.
_PLACE_AFTER = re.compile(
    r"^(?:镇|乡|村|街道|街|路|巷|区|县|市|省|社区|小区|花园|苑|卫生院|医院|学校|中学|小学|幼儿园|公园|"
    r"广场|河|湖|江|山|桥|湾|港|站|片区|大道|集团|公司|厂)"
)


#: jieba's dictionary tags some everyday words as names (康复, 杜绝, 高峰, 文明); a real person's
#: name is rare in its corpus (王建国: 12, 李四: 106), those words are not (高龄: 204, 康复: 1018).
_COMMON_WORD_FREQ = 150
_PLACE_END = tuple("镇乡村路街区县市省巷")


def _tagged_names(text: str) -> list[tuple[int, int]]:
    """jieba's person names (`nr`) that begin with a common surname and are neither an everyday
    word nor a place's name (白沙镇, 白沙 in 白沙镇卫生院)."""
    spans, at = [], 0
    for word in jieba.posseg.cut(text):
        token = word.word
        lead = _leading_surname(token)
        end = at + len(token)
        if (
            word.flag == "nr"
            and lead
            and len(lead) < len(token) <= 4
            and (jieba.dt.FREQ.get(token) or 0) < _COMMON_WORD_FREQ
            and not token.endswith(_PLACE_END)
            and not _PLACE_AFTER.match(text[end:])
        ):
            spans.append((at, end))
        at = end
    return spans


def _leading_surname(name: str) -> str:
    return next((s for s in SURNAMES if name.startswith(s)), "")


def _trailing_surname(name: str) -> str:
    return next((s for s in SURNAMES if name.endswith(s)), "")


def _merge(found: list[Finding]) -> list[Finding]:
    """Overlapping findings as one: the longest of a group, its kind."""
    out: list[Finding] = []
    for f in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if out and f.start < out[-1].end:
            if f.end > out[-1].end:
                last = out[-1]
                out[-1] = Finding(last.start, f.end, last.kind, "")
            continue
        out.append(f)
    return out
