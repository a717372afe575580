"""Layered article extraction: ask each layer in turn, keep the first answer per field.

Order: embedded data → structured data → site selectors → text patterns → generic extractor.
Which layer answered each field is returned too, so the crawl stats show when the site's markup
drifts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newscrawl.extract.base import Layer
from newscrawl.extract.blocks import BodyParts
from newscrawl.extract.context import PageContext
from newscrawl.extract.embedded import EmbeddedLayer
from newscrawl.extract.generic import GenericLayer
from newscrawl.extract.site import SiteLayer
from newscrawl.extract.structured import StructuredLayer
from newscrawl.extract.textual import TextPatternLayer

LAYERS: tuple[type[Layer], ...] = (EmbeddedLayer, StructuredLayer, SiteLayer, TextPatternLayer, GenericLayer)
# Metadata first: the body layers leave the resolved title, lead, outlet and authors out of
# the body; the source link comes from the body's source line, so it follows the body.
FIELDS = (
    "title", "summary", "source_name", "published_at", "modified_at", "authors", "tags",
    "translations", "sections", "body", "source_url",
)  # fmt: skip


@dataclass
class Extraction:
    """The fields found on a page and the layer that produced each."""

    fields: dict[str, Any] = field(default_factory=dict)
    layers: dict[str, str] = field(default_factory=dict)
    is_article: bool = False
    # The site's body element exists but is empty: the body is rendered by scripts.
    body_container_empty: bool = False


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def extract_article(ctx: PageContext) -> Extraction:
    """Extract every article field of ``ctx`` through the layers."""
    result = Extraction()
    layers = [layer for layer_cls in LAYERS if (layer := layer_cls(ctx, result.fields)).has_answers()]
    site_layer = next(layer for layer in layers if isinstance(layer, SiteLayer))
    for name in FIELDS:
        for layer in layers:
            if name == "body" and isinstance(layer, GenericLayer) and site_layer.body_container_empty():
                # The page's own body element is empty (scripts fill it): a guess would be chrome.
                result.body_container_empty = True
                break
            value = layer.get(name)
            if not _present(value):
                continue
            if isinstance(value, BodyParts):
                result.fields["body"] = "\n\n".join(value.paragraphs)
                result.fields["images"] = value.images
                result.layers["images"] = layer.name
            else:
                result.fields[name] = value
            result.layers[name] = layer.name
            break
    for layer in layers:  # the first layer that can tell whether the page is an article
        declared = layer.get("is_article")
        if declared is not None:
            result.is_article = declared
            break
    else:
        result.is_article = "published_at" in result.fields or "source_name" in result.fields
    return result
