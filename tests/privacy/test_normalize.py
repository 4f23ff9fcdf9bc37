"""Normalisation before detection: folding, stripping, and the map back to the original."""
from webapp.privacy.detection.normalize import clean, normalize


def test_normalize_folds_fullwidth_digits_and_letters():
    assert clean("电话１３８１２３４５６７８，ＱＱ") == "电话13812345678，QQ"


def test_normalize_keeps_chinese_punctuation():
    assert clean("你好，世界：（测试）！") == "你好，世界：（测试）！"


def test_normalize_removes_zero_width_and_control_characters():
    assert clean("张\u200b三\u200d丰\x00\x07\ufeff") == "张三丰"


def test_normalize_collapses_spacing():
    assert clean("  a \t\u3000 b\u00a0c \n\n\n\n d  ") == "a b c\n\nd"


def test_normalize_maps_spans_back_to_original():
    original = "电话：１３８\u200b１２３４５６７８。"
    norm = normalize(original)
    start = norm.text.index("138")
    o_start, o_end = norm.to_original(start, start + 11)
    assert original[o_start:o_end] == "１３８\u200b１２３４５６７８"


def test_normalize_offsets_cover_every_character():
    norm = normalize("ａ\u3000\u3000ｂ㈠")
    assert len(norm.offsets) == len(norm.text)
    assert norm.text == "a b(一)"


def test_normalize_handles_lone_surrogates():
    assert clean("a\udc80b") == "ab"
