"""Each detector and the variants people type."""
import pytest

from webapp.privacy.detection.detect import detect, valid_resident_id
from webapp.privacy.detection.identifiers import id_check_code


def _types(text, known_names=()):
    return {(s.type, s.text) for s in detect(text, known_names)}


def _found(text, kind, value, known_names=()):
    return (kind, value) in _types(text, known_names)


def _valid_id(body17="37152619800305123"):
    return body17 + id_check_code(body17)


def test_valid_resident_id_accepts_correct_checksum():
    assert valid_resident_id(_valid_id())
    assert valid_resident_id("11010519491231002X")


def test_valid_resident_id_rejects_wrong_checksum_bad_date_and_15_digits():
    good = _valid_id()
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert not valid_resident_id(wrong)
    assert not valid_resident_id("371526198013051234")
    assert not valid_resident_id("371526800305123")
    assert not valid_resident_id(None)


def test_valid_resident_id_tolerates_fullwidth_and_spaces():
    good = _valid_id()
    full = good.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert valid_resident_id(f"{full[:6]} {full[6:]}")


@pytest.mark.parametrize("number", [
    _valid_id(),
    _valid_id()[:-1] + "0" if _valid_id()[-1] != "0" else _valid_id()[:-1] + "1",
    "37152619800305123x",
    "371526 19800305 1234",
    "371526800305123",
])
def test_detect_id_number_variants(number):
    assert _found(f"身份证号{number}，", "id_number", number)


@pytest.mark.parametrize("phone", [
    "13812345678", "138 1234 5678", "138-1234-5678", "138.1234.5678", "+86 13812345678",
    "0086-13812345678", "(+86)13812345678", "1 3 8 1 2 3 4 5 6 7 8", "14712345678",
])
def test_detect_mobile_variants(phone):
    assert _found(f"联系电话：{phone}。", "phone", phone)


def test_detect_mobile_fullwidth_and_chinese_digits():
    assert _types("电话１３８１２３４５６７８") == {("phone", "13812345678")}
    assert _types("手机一三八一二三四五六七八") == {("phone", "一三八一二三四五六七八")}


def test_detect_mobile_split_by_zero_width_space():
    assert _types("电话138\u200b1234\u200b5678") == {("phone", "13812345678")}


@pytest.mark.parametrize("number", ["0635-8123456", "(0635)8123456", "0635 812 3456",
                                    "06358123456", "010-62345678"])
def test_detect_landline_variants(number):
    assert _found(f"座机{number}，", "landline", number)


def test_detect_landline_without_area_code_after_cue():
    assert _found("家里电话8123456。", "landline", "8123456")


@pytest.mark.parametrize("card", ["6222021234567890123", "6222 0212 3456 7890 123",
                                  "6228480402564890018", "621700123456"])
def test_detect_bank_card_variants(card):
    assert _found(f"救助金转入{card}。", "bank_card", card)


def test_detect_bank_account_after_cue_even_when_short():
    assert _found("账号：12345678901", "bank_card", "12345678901")


def test_detect_bank_card_does_not_yield_phone_from_its_tail():
    kinds = {s.type for s in detect("转入6212 2643 1886 0200 171")}
    assert kinds == {"bank_card"}


@pytest.mark.parametrize("email", ["zhang.san88@163.com", "12345678@qq.com",
                                   "li_mei at 126 dot com"])
def test_detect_email_variants(email):
    assert _found(f"邮箱：{email}，", "email", email)


@pytest.mark.parametrize("text,value", [
    ("QQ：12345678，", "12345678"), ("qq号 987654321", "987654321"), ("扣扣 55667788", "55667788"),
])
def test_detect_qq_after_label(text, value):
    assert _found(text, "qq", value)


@pytest.mark.parametrize("text,value", [
    ("微信：zhangsan_1980，", "zhangsan_1980"), ("vx: abc12345", "abc12345"),
    ("加wx li-mei88", "li-mei88"), ("微信号是 gt2024a", "gt2024a"),
])
def test_detect_wechat_after_label(text, value):
    assert _found(text, "wechat", value)


def test_detect_wechat_ignores_transfer_amounts():
    assert _types("通过微信转账50000元") == set()


@pytest.mark.parametrize("plate", ["鲁P·12345", "鲁P12345", "鲁PD12345", "鲁P 1234D", "鲁A12345挂"
                                   [:-1], "鲁PA1234"])
def test_detect_licence_plate_variants(plate):
    assert _found(f"驾驶{plate}轿车", "plate", plate)


@pytest.mark.parametrize("text,value", [
    ("住院号：ZY2026030512，", "ZY2026030512"), ("病案号 123456", "123456"),
    ("门诊号:MZ-889900", "MZ-889900"),
])
def test_detect_medical_record_numbers(text, value):
    assert _found(text, "medical_record", value)


@pytest.mark.parametrize("text,value", [
    ("1980年3月5日出生，", "1980年3月5日"), ("出生日期：1980-03-05", "1980-03-05"),
    ("生于1980.3.5，", "1980.3.5"), ("出生日期：19800305", "19800305"),
    ("一九八〇年三月五日生，", "一九八〇年三月五日"), ("生日是3月5日", "3月5日"),
])
def test_detect_birth_date_formats(text, value):
    assert _found(text, "birth_date", value)


def test_detect_birth_date_ignores_event_dates():
    text = "申请人1980年3月5日出生，2026年3月入院，2026年3月8日确诊，2026-03-09手术。"
    assert {s.text for s in detect(text) if s.type == "birth_date"} == {"1980年3月5日"}


@pytest.mark.parametrize("text,value", [
    ("家住梁村镇后屯村3组12号。", "后屯村3组12号"),
    ("现住鱼丘湖街道人民路12号。", "人民路12号"),
    ("住阳光花园小区5号楼2单元501室", "阳光花园小区5号楼2单元501室"),
    ("户籍地为固河镇大王庄，", "大王庄"),
    ("他是清平镇前李村村民", "前李村"),
    ("居住在幸福社区，", "幸福社区"),
])
def test_detect_address_below_town(text, value):
    assert _found(text, "address", value)


@pytest.mark.parametrize("text", [
    "梁村镇民政办已入户核查。", "鱼丘湖街道和高唐县民政局介入。", "三十里铺镇、杨屯镇、赵寨子镇",
    "他在农村老家，全村群众自发捐款，本村村干部积极帮扶。", "王村镇的亲戚也来帮忙。",
    "在高唐县人民医院做了手术。",
])
def test_detect_leaves_town_level_places_and_generic_words(text):
    assert detect(text) == []


def test_detect_known_name_plain_spaced_and_with_mou():
    text = "申请人张 三 丰，张某某介绍，三丰平时照顾母亲。"
    names = {s.text for s in detect(text, ["张三丰"]) if s.type == "name"}
    assert names == {"张 三 丰", "张某某", "三丰"}


def test_detect_known_name_split_by_zero_width_character():
    assert _types("户主王\u200b建国。", ["王建国"]) == {("name", "王建国")}


def test_detect_known_compound_surname():
    names = {s.text for s in detect("欧阳秀英称，欧阳某已出院。", ["欧阳秀英"])}
    assert names == {"欧阳秀英", "欧阳某"}


@pytest.mark.parametrize("text,value", [
    ("姓名：李秀英，女", "李秀英"), ("患者王小明因病住院", "王小明"), ("主治医生孙立介绍", "孙立"),
    ("母亲陈美玲常年卧床", "陈美玲"), ("邻居刘德华帮忙", "刘德华"), ("网格员诸葛红介绍了病情", "诸葛红"),
    ("经办人：赵 海 涛", "赵 海 涛"), ("据李某某介绍", "李某某"),
])
def test_detect_unknown_names(text, value):
    assert _found(text, "name", value)


@pytest.mark.parametrize("text", [
    "申请人因病致贫，母亲常年卧床，孩子高烧不退。", "患者于今年3月入院。", "叫车送医。",
    "家属、村民、老人、医生都很关心。", "在齐鲁医院治疗，银行卡号见附件。",
])
def test_detect_no_names_in_role_words(text):
    assert [s for s in detect(text) if s.type == "name"] == []


@pytest.mark.parametrize("text", [
    "医药费共计50000元，尚需12万元。", "2026年3月入院治疗。", "家中5口人，人均月收入300元。",
    "房屋面积80平方米。", "低保金每月580元。",
])
def test_detect_hard_negatives(text):
    assert detect(text) == []


def _names(text, known=()):
    return [s.text for s in detect(text, known) if s.type == "name"]


def test_detect_known_name_in_traditional_characters():
    assert _names("陳建國，男，58歲，長期患病。", ["陈建国"]) == ["陳建國"]


def test_detect_transliterated_name_with_middle_dot():
    assert _names("老乡阿卜杜·热合曼在照顾他") == ["阿卜杜·热合曼"]


def test_detect_name_before_a_title():
    assert _names("班费请交给司马光辉老师") == ["司马光辉"]


def test_detect_names_in_an_enumeration():
    assert _names("获奖名单：赵欣悦、钱浩宇、孙嘉怡") == ["赵欣悦", "钱浩宇", "孙嘉怡"]


def test_detect_form_field_name_that_is_also_a_word():
    assert _names("联系人：常乐，电话待补") == ["常乐"]


def test_detect_ignores_forms_of_address_and_common_words():
    assert _names("谢谢大家！捐款明细：王哥500，李姐300。金银花、黄芪每月600元。") == []


def test_detect_phone_split_across_a_line_break():
    spans = detect("手机号码：138-1234-\n5678")
    assert [s.type for s in spans] == ["phone"]


def test_detect_card_grouped_with_dots():
    assert [s.type for s in detect("卡号：6222.0212.3456.7890")] == ["bank_card"]


def test_detect_id_number_inside_a_longer_code():
    (span,) = detect("残疾证号37152619800101102X42")
    assert span.type == "id_number" and span.text == "37152619800101102X"


def test_detect_reference_number_is_not_a_card():
    assert detect("受理编号 JJN-2026-03-000456，审批编号 GT-2026-000123") == []


def test_detect_birth_date_with_two_digit_year():
    assert [s.text for s in detect("伤者，85年3月5日出生，无业。")] == ["85年3月5日"]


def test_detect_street_corner_and_bare_room_number():
    texts = [s.text for s in detect("家住汇鑫花园3栋1单元502，在人民路与鼓楼路交叉口被撞")]
    assert texts == ["汇鑫花园3栋1单元502", "人民路与鼓楼路交叉口"]


def test_detect_party_suffix_is_not_a_name():
    from webapp.privacy.detection.detect import detect
    text = "遭遇交通事故致重伤，肇事方无力赔偿，医疗费和护理费用缺口较大。"
    assert [s for s in detect(text) if s.type == "name"] == []
