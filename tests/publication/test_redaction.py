"""Personal data found and masked before publication (`minyi.publication.redaction`, issue #14),
on realistic texts of suggestions, replies and residents' opinions (fictional people, places and
numbers). The rule that matters: nothing personal is missed; the clerk un-ticks what is public."""

from __future__ import annotations

import pytest

from minyi.publication.redaction import ADDRESS, ID_CARD, NAME, PHONE, PLATE, find, mask

#: (text, personal data it holds as (kind, text), names that are public)
TEXTS = [
    (
        "居民张建国反映，他家住在幸福路88号3栋2单元502室，楼下餐馆油烟直排，多次拨打电话13812345678"
        "向社区反映无果。",
        [(NAME, "张建国"), (ADDRESS, "幸福路88号3栋2单元502室"), (PHONE, "13812345678")],
        [],
    ),
    (
        "村民反映，家住桃园村3组15号的李秀英老人独居，行动不便，希望增设上门助餐服务。",
        [(ADDRESS, "桃园村3组15号"), (NAME, "李秀英")],
        [],
    ),
    (
        "来访人周杰说，其子周小明（身份证号11010519491231002X）于2025年3月在学府路口被一辆"
        "车牌为京N·D12345的电动汽车撞伤，肇事车辆逃逸。",
        [(NAME, "周杰"), (NAME, "周小明"), (ID_CARD, "11010519491231002X"), (PLATE, "京N·D12345")],
        [],
    ),
    (
        "联系人：欧阳娜娜，手机 139 1234 5678，座机025-84561234。",
        [(NAME, "欧阳娜娜"), (PHONE, "139 1234 5678"), (PHONE, "025-84561234")],
        [],
    ),
    (
        "王桂兰老人和邻居李四找到刘晓东代表，刘晓东代表将意见转交区住建局局长陈明。",
        [(NAME, "王桂兰"), (NAME, "李四")],
        ["刘晓东"],
    ),
    (
        "该路段停放的苏A8K2M6、苏AD12345两辆僵尸车已停放半年以上，车主王先生电话 +86 137-0000-1111。",
        [(PLATE, "苏A8K2M6"), (PLATE, "苏AD12345"), (NAME, "王先生"), (PHONE, "+86 137-0000-1111")],
        [],
    ),
    (
        "经核实，反映人赵小红（身份证号320102880506123）所述情况属实，其住址为锦绣花园12号楼1单元301户。",
        [(NAME, "赵小红"), (ID_CARD, "320102880506123"), (ADDRESS, "锦绣花园12号楼1单元301户")],
        [],
    ),
    (
        "老李师傅说，小区东门的路灯坏了三个月，联系方式：84561234。",
        [(NAME, "李"), (PHONE, "84561234")],
        [],
    ),
]

#: Texts with nothing personal: numbers, roads, years, amounts, hotlines, officials by their titles.
PUBLIC_TEXTS = [
    "建议2026年投资1200万元改造人民路，拓宽至双向四车道，并增设3处公交港湾。",
    "群众可拨打12345政务服务便民热线反映问题，区住建局已于2025年11月完成第一期工程。",
    "区交通运输局局长陈明表示，将在明年第一季度前完成全区87个公交站台的改造。",
    "全区共有老旧小区146个，其中2000年以前建成的有92个，涉及居民3.2万户。",
]


def _found(text: str, public: list[str]) -> set[tuple[str, str]]:
    return {(f.kind, f.text) for f in find(text, public=public)}


@pytest.mark.parametrize(("text", "personal", "public"), TEXTS)
def test_every_piece_of_personal_data_is_found_and_masked(text, personal, public):
    found = _found(text, public)
    missing = [item for item in personal if item not in found]
    assert not missing, f"missed {missing}; found {sorted(found)}"
    masked = mask(text, find(text, public=public))
    for kind, value in personal:
        if kind == NAME and len(value) == 1:
            continue  # a surname alone (老李师傅) stays readable as 老李某
        assert value not in masked, (value, masked)
    for name in public:
        assert name in masked  # a public name is kept


def test_masks_keep_what_helps_a_reader_and_nothing_that_identifies():
    text = "居民张建国，电话13812345678，身份证号320102198805061234，车牌苏A12345，住幸福路88号3栋502室。"
    assert mask(text, find(text)) == (
        "居民张某某，电话138******78，身份证号320102************，车牌苏******，住幸福路**号*栋***室。"
    )
    two = "联系人：欧阳娜娜。"
    assert mask(two, find(two)) == "联系人：欧阳某某。"  # a two-character surname stays whole


@pytest.mark.parametrize("text", PUBLIC_TEXTS)
def test_public_facts_are_not_flagged(text):
    assert find(text) == []


def test_known_names_are_found_anywhere_and_public_names_never():
    text = "小红和建国一起去了社区，刘晓东代表陪同。"
    found = _found(text, ["刘晓东"])
    assert (NAME, "刘晓东") not in found
    assert {(NAME, "小红"), (NAME, "建国")} <= {(f.kind, f.text) for f in find(text, known=["小红", "建国"])}


def test_nothing_in_nothing_out():
    assert find("") == [] and mask("", []) == ""
    assert mask("没有个人信息。", find("没有个人信息。")) == "没有个人信息。"


def test_a_place_named_like_a_person_is_not_masked():
    text = "北岗镇、白沙镇卫生院的影像和检验设备老旧，居民王建国反映检查要到城区医院。"
    found = find(text)
    assert [f.text for f in found] == ["王建国"]


@pytest.mark.parametrize(
    "text",
    [
        "建议推进社区康复服务，杜绝乱收费。",
        "早晚高峰拥堵，高龄老人出行不便。",
        "白沙镇卫生院设备老旧，文明城市创建要求温馨服务。",
    ],
)
def test_everyday_words_jieba_tags_as_names_are_left_alone(text):
    assert find(text) == []
