"""What every extraction layer shares: the page context, the fields resolved so far, a name.

:class:`Layer` collects a layer's ``@answers``/``@vetoes`` declarations
(:mod:`newscrawl.extract.fields`); :class:`BodyLayer` answers ``body`` and ``images`` from one
walk of a body element; :class:`DatelineLayer` answers the outlet and date of a dateline. Also
here: the page-chrome rule and the text of elements, which the listing reader shares.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any, ClassVar

from lxml import etree
from parsel import Selector

from newscrawl.extract.blocks import IMAGE, BodyParts, assemble, walk
from newscrawl.extract.context import PageContext
from newscrawl.extract.fields import ANSWERS, SPECS, VETOES, Image, UnknownFieldError, answers
from newscrawl.normalize.dates import parse_date
from newscrawl.normalize.text import clean_text, dedouble_outlet
from newscrawl.sites.profile import SiteProfile


class Layer:
    """One extraction layer: the fields it can answer, each a method declared with ``@answers``.

    The orchestrator asks layers in order and keeps the first non-empty answer, so a layer
    only declares the fields it can know (:mod:`newscrawl.extract.fields` has the contract);
    ``resolved`` holds the answers so far (the body layers use the resolved title and summary
    to leave them out of the body).
    """

    name = "layer"
    #: field → name of the method answering it (collected from the ``@answers`` declarations).
    answered: ClassVar[dict[str, str]] = {}
    #: field → name of the method vetoing it (``@vetoes``).
    vetoed: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for attribute, value in vars(cls).items():
            if attribute in SPECS and not hasattr(value, ANSWERS):
                raise UnknownFieldError(
                    f"{cls.__qualname__}.{attribute} is named like a field but not declared with @answers"
                )
        answered: dict[str, str] = {}
        vetoed: dict[str, str] = {}
        for klass in reversed(cls.__mro__):
            for attribute, value in vars(klass).items():
                if (field := getattr(value, ANSWERS, None)) is not None:
                    answered[field] = attribute
                if (field := getattr(value, VETOES, None)) is not None:
                    vetoed[field] = attribute
        cls.answered, cls.vetoed = answered, vetoed

    def __init__(self, ctx: PageContext, resolved: dict[str, Any]) -> None:
        self.ctx = ctx
        self.resolved = resolved

    def has_answers(self) -> bool:
        """False when the layer can answer nothing on this page: the orchestrator skips it."""
        return True

    def get(self, field: str) -> Any:
        """The layer's answer for ``field``, or None when it has none or does not declare it."""
        method = self.answered.get(field)
        return getattr(self, method)() if method is not None else None

    def vetoes(self, field: str) -> bool:
        """Whether this layer forbids the later ones to answer ``field`` on this page."""
        method = self.vetoed.get(field)
        return method is not None and getattr(self, method)()

    def date(self, raw: str | None) -> str | None:
        """A raw date string (in the page's language) as ISO 8601 in the site's zone, or None."""
        return parse_date(raw, self.ctx.lang, tz=self.ctx.site.timezone) if raw else None


class BodyLayer(Layer):
    """A layer that finds the article's body element: the body and its images, from one walk."""

    def body_parts(self) -> BodyParts | None:
        """Body paragraphs, images and source line, or None when this layer finds no body."""
        return None

    @cached_property
    def _body_parts(self) -> BodyParts | None:
        parts = self.body_parts()
        return parts if parts is not None and parts.paragraphs else None

    @answers
    def body(self) -> BodyParts | None:
        """The body as :class:`BodyParts` (the orchestrator joins the paragraphs)."""
        return self._body_parts

    @answers
    def images(self) -> list[Image] | None:
        """The images of the body found by :meth:`body` (the same walk)."""
        parts = self._body_parts
        return parts.images if parts is not None else None  # type: ignore[return-value]

    def assemble_body(self, root: etree._Element, *, guessed: bool = False) -> BodyParts:
        """Walk a body element and sort its blocks, leaving out what is already metadata."""
        fields = self.resolved
        outlet = fields.get("source_name") or ""
        known = [fields.get("title", ""), fields.get("summary", ""), outlet, *fields.get("authors", ())]
        ctx = self.ctx
        blocks = walk(root, ctx.url, ctx.site)
        return assemble(blocks, ctx.url, ctx.site, known=known, outlet=outlet, guessed=guessed)


class DatelineLayer(Layer):
    """A layer that reads the outlet and the publication date from the page's outlet/date line."""

    @cached_property
    def _dateline(self) -> tuple[str | None, str | None]:
        """``(outlet as shown, date text)``; each None when the page has none."""
        return None, None

    @answers
    def source_name(self) -> str | None:
        """The outlet's name, once (the site shows it twice, logo and text: "ZNewsZNews")."""
        outlet = self._dateline[0]
        return dedouble_outlet(outlet) if outlet else None

    @answers
    def published_at(self) -> str | None:
        return self.date(self._dateline[1])


@dataclass(frozen=True, slots=True)
class Chrome:
    """Page chrome: elements that are never an article's own content — header, footer,
    navigation, sidebars (``tags``) — and those whose class names one of the site's chrome
    areas (``classes``: any substring of the class attribute, ``x-sidebar-y`` too). Listing
    links and article content links inside chrome are left out alike."""

    tags: frozenset[str]
    # One regex search per element costs half of testing each name in a generator.
    classes: re.Pattern[str]

    def holds(self, element: etree._Element) -> bool:
        """Whether ``element`` is page chrome."""
        if element.tag in self.tags:
            return True
        classes = element.get("class")
        return bool(classes and self.classes.search(classes))


@cache
def page_chrome(site: SiteProfile) -> Chrome:
    """The :class:`Chrome` of ``site``'s pages, from its profile's listing exclusions."""
    names = "|".join(map(re.escape, site.listing_excluded_classes))
    return Chrome(frozenset(site.listing_excluded_areas), re.compile(names or r"(?!)"))


def is_chrome(element: etree._Element, site: SiteProfile) -> bool:
    """Whether ``element`` is page chrome on ``site`` (see :class:`Chrome`)."""
    return page_chrome(site).holds(element)


def in_chrome(element: etree._Element, site: SiteProfile) -> bool:
    """Whether an ancestor of ``element`` (the element itself aside) is page chrome."""
    return any(map(page_chrome(site).holds, element.iterancestors()))


def node_text(element: etree._Element, site: SiteProfile) -> str:
    """Visible text of an element: inline runs joined as written, block runs by a space."""
    return " ".join(b.text for b in walk(element, "", site) if b.kind != IMAGE)


def element_text(node: Selector, site: SiteProfile) -> str:
    """:func:`node_text` of a selected element (or the cleaned text of a selected string)."""
    if isinstance(node.root, str):
        return clean_text(node.root)
    return node_text(node.root, site)


def texts(elements: Iterable[etree._Element], site: SiteProfile) -> list[str]:
    """Cleaned, non-empty text of ``elements``, in their order, no repeats."""
    found = (node_text(element, site) for element in elements)
    return list(dict.fromkeys(text for text in found if text))
