"""Clearly fictional Chinese person names for the demo congress.

Names are built from a surname list and a list of given-name characters with a seeded random
generator, so the demo is the same on every machine. A generated name that happens to be the name
of a well-known leader or public figure is thrown away and drawn again (`DENYLIST`), as is a name
already handed out, so every demo person has a distinct name.
"""

from __future__ import annotations

import random

#: Common surnames (single characters only, to keep generated names plainly ordinary).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾郝龚邵万钱严覃戴莫孔向汤"
)

#: Characters for given names: everyday, unremarkable choices.
GIVEN_CHARS = (
    "晓春秋明华丽芳静敏燕霞玉兰桂英梅琳雪婷颖欣怡佳悦宁安康平顺泰嘉瑞祥云海涛波洋鹏飞翔宇航晨曦阳辉志"
    "刚强伟军勇毅杰俊彬斌文书诗雅涵思远博睿铭轩浩然泽润泉清源立新建卫振兴德福永庆红丹凤琴秀娟萍莉蓉"
    "家宏峰磊鑫凯亮超健松柏林森桐楠蕾薇菲璐瑶露珊茜倩"
)

# Well-known names that a generated demo name must never be (matched on the whole name):
# national leaders past and present, historical figures everyone knows, famous contemporaries.
_LEADERS = """
    毛泽东 周恩来 刘少奇 朱德 邓小平 陈云 董必武 宋庆龄 李先念 杨尚昆 华国锋 胡耀邦
    赵紫阳 江泽民 李鹏 乔石 朱镕基 李瑞环 胡锦涛 吴邦国 温家宝 贾庆林 曾庆红 李长春
    习近平 李克强 张德江 俞正声 刘云山 王岐山 张高丽 栗战书 汪洋 王沪宁 赵乐际 韩正
    李强 蔡奇 丁薛祥 李希 彭丽媛 王洪文 叶剑英 彭德怀 林彪 贺龙 陈毅 刘伯承
    聂荣臻 徐向前 罗荣桓 粟裕 万里 田纪云 李岚清 吴仪 回良玉 王兆国 刘延东 马凯
    张春贤 孙春兰 胡春华 杨洁篪 陈敏尔 郭声琨 黄坤明 李鸿忠 何立峰 张又侠 王毅 石泰峰
    尹力 刘国中 陈文清 袁家军 何卫东 李干杰 陈吉宁 马兴瑞 王小洪 吴政隆 谌贻琴 陈昌智
    李建国 王晨 沈跃跃 吉炳轩 艾力更
"""
_HISTORICAL = """
    孙中山 孙文 蒋介石 鲁迅 雷锋 焦裕禄 钱学森 袁隆平 屠呦呦 邓稼先 杨振宁 李四光
    华罗庚 钱三强 孔子 孟子 老子 李白 杜甫 苏轼
"""
_CONTEMPORARIES = """
    马云 马化腾 李彦宏 雷军 任正非 刘强东 王健林 姚明 刘翔 李娜 成龙 周杰伦
    刘德华 张艺谋 莫言 杨利伟 郎平 王菲 赵本山 刘欢
"""
DENYLIST = frozenset((_LEADERS + _HISTORICAL + _CONTEMPORARIES).split())


class NameGenerator:
    """Draws distinct fictional names: `NameGenerator(random.Random(2026)).next()`."""

    def __init__(self, rng: random.Random | None = None, *, denylist: frozenset[str] = DENYLIST) -> None:
        self.rng = rng if rng is not None else random.Random(2026)
        self.denylist = denylist
        self.used: set[str] = set()

    def candidate(self) -> str:
        surname = self.rng.choice(SURNAMES)
        given_length = 1 if self.rng.random() < 0.3 else 2
        given = "".join(self.rng.choice(GIVEN_CHARS) for _ in range(given_length))
        return surname + given

    def next(self) -> str:
        for _attempt in range(10_000):
            name = self.candidate()
            if name not in self.denylist and name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("ran out of distinct fictional names")  # pragma: no cover - 10⁶ combinations

    def take(self, count: int) -> list[str]:
        return [self.next() for _ in range(count)]


def fictional_names(count: int, *, seed: int = 2026) -> list[str]:
    """`count` distinct fictional names, the same ones for the same seed."""
    return NameGenerator(random.Random(seed)).take(count)
