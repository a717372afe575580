"""Layered article extraction: ask each layer in turn, keep the first answer per field.

Order: embedded data → structured data → site selectors → text patterns → generic extractor.
Fields are resolved in the contract's order (:mod:`newscrawl.extract.fields`), each asked only
of the layers that declare it, and every answer is checked against the field's type. A layer
that has no answer may veto the field for the layers after it (``@vetoes``). Which layer
answered each field is returned too, so the crawl stats show when the site's markup drifts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newscrawl.extract.base import Layer
from newscrawl.extract.context import PageContext
from newscrawl.extract.embedded import EmbeddedLayer
from newscrawl.extract.fields import RECORD_FIELDS, SPECS, ArticleFields, FieldSpec, check_answer
from newscrawl.extract.generic import GenericLayer
from newscrawl.extract.site import SiteLayer
from newscrawl.extract.structured import StructuredLayer
from newscrawl.extract.textual import TextPatternLayer

LAYERS: tuple[type[Layer], ...] = (EmbeddedLayer, StructuredLayer, SiteLayer, TextPatternLayer, GenericLayer)
#: The record's extracted fields in resolution order (see :class:`ArticleFields`).
FIELDS = RECORD_FIELDS
_IS_ARTICLE = SPECS["is_article"]


@dataclass
class Extraction:
    """The fields found on a page and the layer that produced each."""

    fields: ArticleFields = field(default_factory=ArticleFields)
    layers: dict[str, str] = field(default_factory=dict)
    is_article: bool = False
    # The site's body element exists but is empty: the body is rendered by scripts.
    body_container_empty: bool = False
    # Fields a layer forbade the later layers to answer: field → that layer's name.
    vetoed: dict[str, str] = field(default_factory=dict)


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _answer(layer: Layer, spec: FieldSpec) -> Any:
    return check_answer(spec, layer.get(spec.name), layer.name)


def extract_article(ctx: PageContext) -> Extraction:
    """Extract every article field of ``ctx`` through the layers."""
    result = Extraction()
    found: dict[str, Any] = result.fields  # type: ignore[assignment]  # filled by name
    layers = [layer for layer_cls in LAYERS if (layer := layer_cls(ctx, found)).has_answers()]
    answered_by: dict[str, Layer] = {}
    for name in FIELDS:
        spec = SPECS[name]
        if spec.follows is not None:
            # Asked only of the layer that answered the field it follows; kept even when empty.
            source = answered_by.get(spec.follows)
            value = _answer(source, spec) if source is not None and name in source.answered else None
            if value is not None:
                found[name] = value
                result.layers[name] = source.name  # type: ignore[union-attr]
            continue
        for layer in layers:
            if name in layer.answered:
                value = _answer(layer, spec)
                if _present(value):
                    found[name] = spec.to_record(value) if spec.to_record is not None else value
                    result.layers[name] = layer.name
                    answered_by[name] = layer
                    break
            if name in layer.vetoed and layer.vetoes(name):
                result.vetoed[name] = layer.name
                break
    result.body_container_empty = "body" in result.vetoed
    for layer in layers:  # the first layer that can tell whether the page is an article
        if "is_article" in layer.answered:
            declared = _answer(layer, _IS_ARTICLE)
            if declared is not None:
                result.is_article = declared
                break
    else:
        result.is_article = "published_at" in found or "source_name" in found
    return result
