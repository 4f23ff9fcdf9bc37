"""A logging filter that keeps personal numbers and e-mail addresses out of log lines.

Attach :class:`PiiRedactingFilter` to every *handler* that writes logs (a filter on a logger
does not see records propagated from its children; one on a handler sees every record it
emits)::

    for handler in logging.getLogger().handlers:
        handler.addFilter(PiiRedactingFilter())

What it hides: resident ID numbers, mobile and landline numbers, bank card and account
numbers (so also any other run of 12 or more digits, such as a millisecond timestamp), and
e-mail addresses, in the formatted message, in the formatted exception and in the stack
text. It is a regular-expression pass over the line (no jieba), cheap enough for every
record; lines without a digit or an ``@`` are passed through untouched.

It also drops the query string of every URL or request line in the line (``GET
/search?q=… HTTP/1.1`` becomes ``GET /search HTTP/1.1``, a referer URL loses its ``?…``): a
query string holds what someone typed into the search box, a person's name among them, and
server access logs lie outside the restricted zone.

What it cannot hide: names and addresses. Telling a name from an ordinary word needs the
case record's known names and the part-of-speech tagger, which a log line has neither of.
So code must never log free text from a case (stories, titles, names, addresses) in the
first place; log record ids instead. This filter is the net under that rule, not the rule.
"""

from __future__ import annotations

import logging
import re

from webapp.privacy.detection.detect import detection_view
from webapp.privacy.detection.identifiers import (
    detect_bank_cards,
    detect_emails,
    detect_embedded_ids,
    detect_grouped_cards,
    detect_id_numbers,
    detect_landlines,
    detect_mobiles,
)
from webapp.privacy.detection.spans import MASK, PLACEHOLDERS, Span

# Same-length folding, so spans found in the view are spans of the original line:
# full-width ASCII to ASCII, ideographic and zero-width spaces to a space, dashes to '-'.
_FOLD: dict[int, int | str] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD.update({cp: " " for cp in (0x3000, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00A0)})
_FOLD.update({cp: "-" for cp in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212)})

# A line that can hold none of these has nothing to redact.
_MAYBE = re.compile("[0-9０-９〇零一幺二两三四五六七八九@＠]|\\(at\\)|\\[at\\]| at ")

_STAGES = (
    detect_emails,
    detect_id_numbers,
    detect_grouped_cards,
    detect_mobiles,
    detect_landlines,
    detect_bank_cards,
    detect_embedded_ids,
)


# A path, alone or inside an http(s) URL, that starts a token (after a space, quote, bracket,
# "=" or ",") and is followed by a query string; and a request line's target after its method,
# which may not even start with "/". The fragment (#…) never reaches a server, so is kept.
_URL_QUERY = re.compile(
    r"""(?<![^\s"'(\[<=,])((?:https?://[^\s"'/?#<>]+)?/[^\s"'?#<>]*|https?://[^\s"'/?#<>]+)"""
    r"""\?[^\s"'#<>]*""")
_REQUEST_QUERY = re.compile(
    r"\b(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|TRACE|CONNECT) ([^\s?#]*)\?[^\s#]*")


def strip_query_strings(text: str) -> str:
    """Drop the query string from every URL, path and request line in ``text``."""
    if not text or "?" not in text:
        return text
    return _URL_QUERY.sub(r"\1", _REQUEST_QUERY.sub(r"\1 \2", text))


def _mask(view: str, spans: list[Span]) -> str:
    for span in spans:
        view = view[:span.start] + MASK * (span.end - span.start) + view[span.end:]
    return view


def redact_line(text: str) -> str:
    """Replace ID numbers, phones, bank cards and e-mail addresses in text by placeholders."""
    if not text or not _MAYBE.search(text):
        return text
    view = detection_view(text.translate(_FOLD))
    found: list[Span] = []
    for stage in _STAGES:
        new = [s for s in stage(view) if s.end > s.start and MASK not in view[s.start:s.end]]
        if new:
            found.extend(new)
            view = _mask(view, new)
    if not found:
        return text
    out = []
    last = 0
    for span in sorted(found, key=lambda s: s.start):
        if span.start < last:
            continue
        out.append(text[last:span.start])
        out.append(PLACEHOLDERS[span.type])
        last = span.end
    out.append(text[last:])
    return "".join(out)


class PiiRedactingFilter(logging.Filter):
    """Redacts personal numbers, e-mail addresses and query strings from every record it sees.

    The record's message is formatted with its arguments, redacted, and stored back as
    ``record.msg`` with ``record.args`` cleared, so no handler or formatter later sees the
    raw arguments. Exception and stack text are formatted and redacted the same way.
    Never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):
            # A bad format string must not lose the line, nor leak its arguments.
            message = f"{record.msg!s} (unformattable arguments withheld)"
        record.msg = redact_line(strip_query_strings(message))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_line(strip_query_strings(record.exc_text))
        if record.stack_info:
            record.stack_info = redact_line(strip_query_strings(record.stack_info))
        return True
