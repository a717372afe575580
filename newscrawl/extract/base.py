"""What every extraction layer shares: the page context, the fields resolved so far, a name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from lxml import etree
from parsel import Selector

from newscrawl.extract.blocks import IMAGE, BodyParts, assemble, walk
from newscrawl.extract.context import PageContext
from newscrawl.normalize.dates import parse_date
from newscrawl.normalize.text import clean_text
from newscrawl.sites import vietnamvn as site


class Layer:
    """One extraction layer. A field is a method named after it returning a value or None.

    The orchestrator asks layers in order and keeps the first non-empty answer, so a layer
    only implements the fields it can know; ``resolved`` holds the answers so far (the body
    layers use the resolved title and summary to leave them out of the body).
    """

    name = "layer"

    def __init__(self, ctx: PageContext, resolved: dict[str, Any]) -> None:
        self.ctx = ctx
        self.resolved = resolved

    def has_answers(self) -> bool:
        """False when the layer can answer nothing on this page: the orchestrator skips it."""
        return True

    def get(self, field: str) -> Any:
        """The layer's value for ``field``, or None when it has none."""
        method = getattr(self, field, None)
        return method() if callable(method) else None

    def body_parts(self) -> BodyParts | None:
        """Body paragraphs, images and source line, or None when this layer finds no body."""
        return None

    @cached_property
    def _body_parts(self) -> BodyParts | None:
        parts = self.body_parts()
        return parts if parts is not None and parts.paragraphs else None

    def body(self) -> BodyParts | None:
        """The body as :class:`BodyParts` (the orchestrator joins the paragraphs)."""
        return self._body_parts

    def assemble_body(self, root: etree._Element, *, guessed: bool = False) -> BodyParts:
        """Walk a body element and sort its blocks, leaving out what is already metadata."""
        fields = self.resolved
        outlet = fields.get("source_name") or ""
        known = [fields.get("title", ""), fields.get("summary", ""), outlet, *fields.get("authors", ())]
        return assemble(walk(root, self.ctx.url), self.ctx.url, known=known, outlet=outlet, guessed=guessed)

    def date(self, raw: str | None) -> str | None:
        """A raw date string as ISO 8601 in the page's language, or None."""
        return parse_date(raw, self.ctx.lang) if raw else None


#: Page chrome: elements that are never an article's own content — header, footer, navigation,
#: sidebars — and those whose class names one of the site's chrome areas (any substring of the
#: class attribute: ``x-sidebar-y`` too). Listing links and article content links inside
#: chrome are left out alike.
CHROME_TAGS = frozenset(site.LISTING_EXCLUDED_AREAS)
# One regex search per element costs half of testing each name in a generator.
CHROME_CLASS = re.compile("|".join(map(re.escape, site.LISTING_EXCLUDED_CLASSES)))


def is_chrome(element: etree._Element) -> bool:
    """Whether ``element`` is page chrome (see :data:`CHROME_TAGS`, :data:`CHROME_CLASS`)."""
    if element.tag in CHROME_TAGS:
        return True
    classes = element.get("class")
    return bool(classes and CHROME_CLASS.search(classes))


def in_chrome(element: etree._Element) -> bool:
    """Whether an ancestor of ``element`` (the element itself aside) is page chrome."""
    return any(map(is_chrome, element.iterancestors()))


def node_text(element: etree._Element) -> str:
    """Visible text of an element: inline runs joined as written, block runs by a space."""
    return " ".join(b.text for b in walk(element, "") if b.kind != IMAGE)


def element_text(node: Selector) -> str:
    """:func:`node_text` of a selected element (or the cleaned text of a selected string)."""
    if isinstance(node.root, str):
        return clean_text(node.root)
    return node_text(node.root)


def texts(elements: Iterable[etree._Element]) -> list[str]:
    """Cleaned, non-empty text of ``elements``, in their order, no repeats."""
    found = (node_text(element) for element in elements)
    return list(dict.fromkeys(text for text in found if text))
