"""CSS selectors compiled once and answered from a per-page index of class and attribute values.

parsel translates a CSS selector to XPath on every call, and libxml2 then tests every element of
the page against ``contains(concat(' ', normalize-space(@class), ' '), ' name ')``: about 70 µs a
query on a 40 KB page. The site profile's selectors are simple (a tag, a class or an attribute
test, optionally followed by a descendant tag), so :class:`Css` answers those from
:class:`PageIndex`, built once per page; anything else falls back to a compiled XPath. Results
are the elements parsel's ``Selector.css`` would give, in the same (document) order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import cssselect
from lxml import etree
from parsel.csstranslator import HTMLTranslator

# XPath's normalize-space() splits on these four characters only (str.split() knows more).
_XML_SPACE = re.compile("[ \t\r\n]+")
_TRANSLATOR = HTMLTranslator()


def class_names(value: str) -> list[str]:
    """The class names of a ``class`` attribute value, as CSS class selectors see them."""
    if "\t" in value or "\n" in value or "\r" in value:
        value = _XML_SPACE.sub(" ", value)
    return [name for name in value.split(" ") if name]


class PageIndex:
    """One page's elements by class name and by attribute, each index built on first use."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self._classes: dict[str, list[etree._Element]] = {}
        self._class_values: list[Any] | None = None  # lxml "smart" strings: each knows its element
        self._all_classes = ""  # every class value, joined: most names looked up are not there
        self._attributes: dict[str, list[tuple[str, etree._Element]]] = {}
        self._values: dict[str, list[str]] = {}

    def with_class(self, name: str) -> list[etree._Element]:
        """Elements having class ``name``, in document order."""
        found = self._classes.get(name)
        if found is None:
            found = self._classes[name] = self._find_class(name)
        return found

    def _find_class(self, name: str) -> list[etree._Element]:
        if self._class_values is None:
            self._class_values = _attribute_values("class")(self.root)
            self._all_classes = "\n".join(self._class_values)
        if name not in self._all_classes:
            return []
        return [
            value.getparent() for value in self._class_values if name in value and name in class_names(value)
        ]

    def attribute_values(self, name: str) -> list[str]:
        """Values of attribute ``name`` on the page, in document order (no elements: cheaper)."""
        found = self._values.get(name)
        if found is None:
            found = self._values[name] = _attribute_values(name, smart=False)(self.root)
        return found

    def with_attribute(self, name: str) -> list[tuple[str, etree._Element]]:
        """``(value, element)`` of the elements having attribute ``name``, in document order."""
        found = self._attributes.get(name)
        if found is None:
            values = _attribute_values(name)(self.root)
            found = self._attributes[name] = [(str(value), value.getparent()) for value in values]
        return found


# Attribute names the index can look up (anything else goes through XPath as parsel would).
_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_.-]*")


@cache
def _attribute_values(name: str, *, smart: bool = True, scoped: bool = False) -> etree.XPath:
    # Smart strings know their element; plain ones cost a third as much.
    return etree.XPath(f"descendant-or-self::*/@{name}" if scoped else f"//@{name}", smart_strings=smart)


def is_within(element: etree._Element, scope: etree._Element) -> bool:
    """Whether ``element`` is ``scope`` or one of its descendants."""
    return element is scope or any(ancestor is scope for ancestor in element.iterancestors())


@dataclass(frozen=True)
class _Simple:
    """``tag``, ``.class``, ``tag.class`` or ``[attr]``/``[attr=v]``/``[attr*=v]`` (tag optional)."""

    tag: str | None
    class_name: str | None = None
    attribute: tuple[str, str, str | None] | None = None  # (name, operator, value)

    def matches_attribute(self, value: str) -> bool:
        """Whether an attribute value passes the attribute test."""
        assert self.attribute is not None
        _name, operator, expected = self.attribute
        if operator == "exists":
            return True
        if operator == "=":
            return value == expected
        if not expected:  # "*=": an empty substring matches nothing
            return False
        return expected in value

    def with_attribute(self, index: PageIndex, scope: etree._Element) -> list[etree._Element]:
        """Elements at or below ``scope`` passing the attribute test, in document order."""
        assert self.attribute is not None
        name = self.attribute[0]
        if scope is not index.root:  # an element's subtree: fewer attributes than the page's index
            return [
                value.getparent()
                for value in _attribute_values(name, scoped=True)(scope)
                if self.matches_attribute(value)
            ]
        if not any(map(self.matches_attribute, index.attribute_values(name))):
            return []
        return [el for value, el in index.with_attribute(name) if self.matches_attribute(value)]

    def select(self, index: PageIndex, scope: etree._Element) -> list[etree._Element]:
        """Matching elements that are ``scope`` or inside it (``descendant-or-self``)."""
        if self.class_name is None and self.attribute is None:
            return list(scope.iter(self.tag))
        if self.class_name is not None:
            found = index.with_class(self.class_name)
            if scope is not index.root:
                found = [el for el in found if is_within(el, scope)]
        else:
            found = self.with_attribute(index, scope)
        return [el for el in found if el.tag == self.tag] if self.tag is not None else list(found)


@dataclass(frozen=True)
class _Descendant:
    """``outer inner``: ``inner`` tags strictly inside an element matched by ``outer``."""

    outer: _Simple
    inner: str

    def select(self, index: PageIndex, scope: etree._Element) -> list[etree._Element]:
        """Matching elements in document order, each once (nested outer elements add nothing)."""
        found: list[etree._Element] = []
        last_outer: etree._Element | None = None
        for outer in self.outer.select(index, scope):
            if last_outer is not None and is_within(outer, last_outer):
                continue
            last_outer = outer
            found.extend(outer.iterdescendants(self.inner))
        return found


@dataclass(frozen=True)
class _XPath:
    """Any other selector: its XPath translation, compiled once."""

    xpath: etree.XPath

    def select(self, index: PageIndex, scope: etree._Element) -> list[etree._Element]:
        """What the XPath finds from ``scope``."""
        return list(self.xpath(scope))


def _simple(tree: object) -> _Simple | None:
    """The :class:`_Simple` form of a parsed cssselect tree, or None if it has no such form."""
    if isinstance(tree, cssselect.parser.Element):
        if tree.namespace is not None or tree.element is None:
            return None
        return _Simple(tree.element.lower())
    inner = getattr(tree, "selector", None)
    base = _simple(inner) if isinstance(inner, cssselect.parser.Element) else None
    if base is None and isinstance(inner, cssselect.parser.Element) and inner.namespace is None:
        base = _Simple(None)  # "*"
    if base is None:
        return None
    if isinstance(tree, cssselect.parser.Class):
        return _Simple(base.tag, class_name=tree.class_name)
    if isinstance(tree, cssselect.parser.Attrib) and tree.namespace is None:
        if tree.operator not in ("exists", "=", "*=") or not _PLAIN_NAME.fullmatch(tree.attrib.lower()):
            return None
        value = None if tree.value is None else tree.value.value
        return _Simple(base.tag, attribute=(tree.attrib.lower(), tree.operator, value))
    return None


def _descendant(tree: object) -> _Descendant | None:
    """The :class:`_Descendant` form of a parsed cssselect tree, or None if it has no such form."""
    if not isinstance(tree, cssselect.parser.CombinedSelector) or tree.combinator != " ":
        return None
    outer, inner = _simple(tree.selector), _simple(tree.subselector)
    if outer is None or not (outer.class_name or outer.attribute):
        return None
    if inner is None or not inner.tag or inner.class_name or inner.attribute:
        return None
    return _Descendant(outer, inner.tag)


class Css:
    """A CSS selector compiled once; :meth:`select` matches like parsel's ``Selector.css``."""

    def __init__(self, css: str) -> None:
        self.css = css
        self._query = self._compile(css)

    def __repr__(self) -> str:
        return f"Css({self.css!r})"

    @staticmethod
    def _compile(css: str) -> _Simple | _Descendant | _XPath:
        parsed = cssselect.parse(css)
        if len(parsed) == 1 and parsed[0].pseudo_element is None:
            tree = parsed[0].parsed_tree
            simple = _simple(tree)
            if simple is not None and (simple.class_name or simple.attribute or simple.tag):
                return simple
            descendant = _descendant(tree)
            if descendant is not None:
                return descendant
        return _XPath(etree.XPath(_TRANSLATOR.css_to_xpath(css)))

    def select(self, index: PageIndex, scope: etree._Element | None = None) -> list[etree._Element]:
        """Elements matching the selector at or below ``scope`` (default: the whole page)."""
        return self._query.select(index, index.root if scope is None else scope)

    def first(self, index: PageIndex, scope: etree._Element | None = None) -> etree._Element | None:
        """The first matching element, or None."""
        found = self.select(index, scope)
        return found[0] if found else None
