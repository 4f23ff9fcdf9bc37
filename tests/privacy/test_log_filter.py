"""The logging filter that redacts personal numbers and e-mail addresses from log lines."""
import logging

import pytest

from webapp.privacy.infrastructure.log_filter import (
    PiiRedactingFilter,
    redact_line,
    strip_query_strings,
)


@pytest.fixture
def captured():
    """A logger whose single handler has the filter, and the list of lines it wrote."""
    lines: list[str] = []

    class ListHandler(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = ListHandler()
    handler.addFilter(PiiRedactingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("tests.privacy.log_filter")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    yield logger, lines
    logger.removeHandler(handler)


@pytest.mark.parametrize("value, placeholder", [
    ("371526198503051232", "【身份证号】"),
    ("37152619800101102x", "【身份证号】"),
    ("3715 2619 8503 0512 32", "【身份证号】"),
    ("13812345678", "【手机号】"),
    ("+86 138-1234-5678", "【手机号】"),
    ("１３８１２３４５６７８", "【手机号】"),
    ("一三八一二三四五六七八", "【手机号】"),
    ("0635-3921234", "【电话】"),
    ("6222 0208 3016 6131 862", "【银行卡号】"),
    ("6217000913909962", "【银行卡号】"),
    ("wang.jianguo@qq.com", "【邮箱】"),
])
def test_redact_line_replaces_each_kind(value, placeholder):
    assert redact_line(f"申请人联系方式 {value} 已登记") == f"申请人联系方式 {placeholder} 已登记"


def test_redact_line_leaves_ordinary_lines_alone():
    line = "GET /api/v1/needs/123 200 in 35ms; case GT-2026-000123 published, amount 5000"
    assert redact_line(line) == line
    assert redact_line("") == ""


def test_filter_redacts_arguments_and_clears_them(captured):
    logger, lines = captured
    logger.info("phone %s for case %d", "13812345678", 42)
    assert lines == ["INFO phone 【手机号】 for case 42"]


def test_filter_sets_msg_and_clears_args_on_the_record():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "id=%s", ("371526198503051232",),
                               None)
    assert PiiRedactingFilter().filter(record) is True
    assert record.msg == "id=【身份证号】"
    assert record.args is None
    assert record.getMessage() == "id=【身份证号】"


def test_filter_redacts_dict_arguments(captured):
    logger, lines = captured
    logger.warning("payload %(p)s", {"p": {"phone": "139 0635 2218", "email": "a.b@163.com"}})
    assert "139 0635 2218" not in lines[0] and "a.b@163.com" not in lines[0]
    assert "【手机号】" in lines[0] and "【邮箱】" in lines[0]


def test_filter_redacts_exception_text(captured):
    logger, lines = captured
    try:
        raise ValueError("bad card 6217000913909962")
    except ValueError:
        logger.exception("import failed for %s", "13812345678")
    text = "\n".join(lines)
    assert "6217000913909962" not in text and "13812345678" not in text
    assert "ValueError" in text


def test_filter_never_drops_a_record_with_bad_arguments(captured):
    logger, lines = captured
    logger.error("two %s %s", "13812345678")  # noqa: PLE1206 - one argument short on purpose
    assert len(lines) == 1
    assert "13812345678" not in lines[0]


@pytest.mark.parametrize("line, expected", [
    ('127.0.0.1 - - [06/Mar/2026 10:00:00] "GET /search?q=张三&kind=need HTTP/1.1" 200 -',
     '127.0.0.1 - - [06/Mar/2026 10:00:00] "GET /search HTTP/1.1" 200 -'),
    (('"GET /search?q=%E5%BC%A0%E4%B8%89 HTTP/1.1" 200 512 "http://127.0.0.1:5000/search?q=张三" '
      '"Mozilla/5.0"'),
     '"GET /search HTTP/1.1" 200 512 "http://127.0.0.1:5000/search" "Mozilla/5.0"'),
    ("code 400, message Bad request syntax ('GET ?q=张三 HTTP/1.1')",
     "code 400, message Bad request syntax ('GET  HTTP/1.1')"),
    ("Error handling request /api/v1/search?q=王秀英", "Error handling request /api/v1/search"),
    ("redirect to https://gaotang.example/search?q=张三#results",
     "redirect to https://gaotang.example/search#results"),
    ("login next=/cases?town=4 refused", "login next=/cases refused"),
])
def test_strip_query_strings_keeps_the_path(line, expected):
    assert strip_query_strings(line) == expected


@pytest.mark.parametrize("line", [
    "是否继续？/search 已完成", "ratio 1/2? unclear", "GET /api/v1/needs/123 200", ""])
def test_strip_query_strings_leaves_other_lines_alone(line):
    assert strip_query_strings(line) == line


def test_filter_strips_query_strings_from_arguments(captured):
    logger, lines = captured
    logger.info('"%s" %s %s', "GET /search?q=张三 HTTP/1.1", "200", "-")
    assert lines == ['INFO "GET /search HTTP/1.1" 200 -']
