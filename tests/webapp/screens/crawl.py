"""Crawl the pages a signed-in person can reach by following links, and read what is on them.

Visible text is the page's text nodes outside <script>/<style>, plus the attributes a person
reads or hears (title, placeholder, aria-label, alt, value of buttons). Text inside an element
marked ``lang="zh…"`` (a preview of a card's Chinese content) is kept apart in ``chinese``."""
from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlparse

SKIP = ("/auth/logout", "/lang/", "/api", "/static", "/download", "/export", ".csv", "/reveal")
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.chinese: list[str] = []
        self._skip = 0
        self._zh_tag: str | None = None
        self._zh_depth = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in ("script", "style", "template"):
            self._skip += 1
        if self._zh_tag == tag:
            self._zh_depth += 1
        elif self._zh_tag is None and values.get("lang", "").startswith("zh"):
            self._zh_tag, self._zh_depth = tag, 1
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        for name in READ_ATTRIBUTES:
            if values.get(name):
                self.parts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1
        if tag == self._zh_tag:
            self._zh_depth -= 1
            if self._zh_depth == 0:
                self._zh_tag = None

    def handle_data(self, data):
        if not self._skip and data.strip():
            (self.chinese if self._zh_tag else self.parts).append(data.strip())


def read(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts), parser.links


def crawl(client, start: str | list[str] = "/dashboard", *, limit: int = 60,
          per_pattern: int = 2):
    """Yield (path, visible text) for up to ``limit`` HTML pages reachable from ``start`` (a
    path, or paths read first in order); at most ``per_pattern`` pages per URL shape
    (/cases/1 and /cases/2 are one shape)."""
    queue, seen, shapes = deque([start] if isinstance(start, str) else start), set(), {}
    while queue and len(seen) < limit:
        url = urldefrag(queue.popleft())[0]
        parsed = urlparse(url)
        if parsed.netloc not in ("", "localhost") or any(s in parsed.path for s in SKIP):
            continue
        target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        shape = re.sub(r"\d+", "N", parsed.path) + ("?" if parsed.query else "")
        if target in seen or shapes.get(shape, 0) >= per_pattern:
            continue
        seen.add(target)
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(target)
        assert response.status_code < 500, f"{target} answered {response.status_code}"
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        text, links = read(response.get_data(as_text=True))
        yield target, text
        queue.extend(links)


def stored_codes() -> set[str]:
    """Every string value of the application's enums that looks like a code (snake_case)."""
    from webapp import models
    codes = set()
    for info in pkgutil.iter_modules(models.__path__):
        module = importlib.import_module(f"webapp.models.{info.name}")
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, enum.Enum) and obj.__module__ == module.__name__:
                codes.update(m.value for m in obj
                             if isinstance(m.value, str) and re.fullmatch(r"[a-z][a-z_]{3,}", m.value))
    return codes
