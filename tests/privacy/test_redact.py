"""Redaction, the publication re-check and masking helpers."""
import random

from webapp.privacy.detection.spans import Span
from webapp.privacy.publishing.redact import (
    contains_pii,
    mask_id_number,
    mask_name,
    mask_phone,
    merge_spans,
    redact,
)


def test_redact_replaces_each_type_with_its_placeholder():
    text = ("申请人张三丰，身份证号371526198003051234，电话13812345678，"
            "家住梁村镇后屯村3组，银行卡6222021234567890123。")
    result = redact(text, known_names=["张三丰"])
    assert result.text == ("申请人【姓名】，身份证号【身份证号】，电话【手机号】，"
                           "家住梁村镇【地址】，银行卡【银行卡号】。")


def test_redact_spans_point_into_original_and_output():
    text = "电话：１３８１２３４５６７８。"
    result = redact(text)
    (span,) = result.spans
    assert text[span.original_start:span.original_end] == "１３８１２３４５６７８"
    assert result.text[span.output_start:span.output_end] == "【手机号】"


def test_redact_keeps_touching_spans_of_different_types_apart():
    result = redact("张三丰13812345678", known_names=["张三丰"])
    assert result.text == "【姓名】【手机号】"


def test_merge_spans_merges_overlaps_into_the_more_specific_type():
    spans = [Span(0, 5, "name", "", 0.6), Span(3, 9, "phone", "", 0.9)]
    (merged,) = merge_spans(spans)
    assert (merged.start, merged.end, merged.type) == (0, 9, "phone")


def test_redact_text_that_is_only_pii():
    assert redact("13812345678").text == "【手机号】"
    assert redact("张三丰", known_names=["张三丰"]).text == "【姓名】"


def test_redact_empty_text():
    result = redact("")
    assert result.text == "" and result.spans == ()


def test_redacted_text_passes_contains_pii():
    text = "患者李秀英，电话138 1234 5678，住院号ZY123456，微信 li_xy1980，鲁P·12345。"
    result = redact(text, known_names=["李秀英"])
    assert contains_pii(result.text, ["李秀英"]) == []


def test_contains_pii_finds_leftovers_after_an_edit():
    assert contains_pii("联系人李秀英", ["李秀英"])
    assert contains_pii("梁村镇一户家庭因重大疾病急需救助") == []


def test_redact_strips_binary_looking_input():
    rng = random.Random(7)
    noise = "".join(chr(rng.randrange(0, 0x3000)) for _ in range(5000))
    result = redact(noise + "电话13812345678" + "\x00\x01\x02\ufffd")
    assert "【手机号】" in result.text
    assert not any(ord(ch) < 32 and ch != "\n" for ch in result.text)


def test_redact_very_long_text_hides_everything_to_the_end():
    # Speed is measured in bench/, not asserted here; this checks that bounding the tagger's
    # work on long input loses no known name, number or cue-introduced name at the end.
    sentence = "申请人王建国因病住院，医药费共计50000元，联系电话13812345678，家住后屯村。"
    tail = "村支书赵立山介绍，邻居孙大海也来帮忙。"
    text = sentence * (100_000 // len(sentence) + 1) + tail
    result = redact(text, known_names=["王建国"])
    assert "13812345678" not in result.text and "王建国" not in result.text
    assert "后屯村" not in result.text
    assert "赵立山" not in result.text and "孙大海" not in result.text


def test_mask_phone_keeps_prefix_and_suffix():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    assert mask_phone("１３８１２３４５６７８") == "138****5678"


def test_mask_id_number_keeps_four_and_four():
    assert mask_id_number("37152619800305123X") == "3715**********123X"
    assert mask_id_number("371526800305123") == "3715*******5123"


def test_mask_name_keeps_surname_only():
    assert mask_name("张三丰") == "张**"
    assert mask_name("欧阳秀英") == "欧阳**"
    assert mask_name("李 四") == "李*"
    assert mask_name("") == ""


def test_masked_values_are_not_detected_again():
    assert contains_pii("手机138****5678，证件3715**********123X") == []
