"""Layer 4: a generic main-content extractor (trafilatura) for pages no other layer reads."""

from __future__ import annotations

import logging

import trafilatura
from lxml import etree

from newscrawl.extract import blocks
from newscrawl.extract.base import Layer
from newscrawl.extract.blocks import CAPTION, IMAGE, TEXT, Block, BodyParts
from newscrawl.normalize.text import clean_text

logger = logging.getLogger(__name__)

# trafilatura's XML output: paragraph-like elements and images.
_TEXT_TAGS = frozenset({"p", "head", "item", "quote", "cell", "code"})


def _xml_blocks(xml: str) -> list[Block]:
    root = etree.fromstring(xml.encode())
    found: list[Block] = []
    for element in root.iter():
        if element.tag == "graphic" and element.get("src"):
            found.append(Block(IMAGE, url=element.get("src")))
            title = clean_text(element.get("title"))
            if title:
                found.append(Block(CAPTION, title))
        elif element.tag in _TEXT_TAGS and not any(child.tag in _TEXT_TAGS for child in element):
            text = clean_text("".join(element.itertext()))
            if text:
                found.append(Block(TEXT, text))
    return found


class GenericLayer(Layer):
    """Body text found by trafilatura's main-content heuristics."""

    name = "generic"

    def body_parts(self) -> BodyParts | None:
        try:
            xml = trafilatura.extract(
                self.ctx.html,
                url=self.ctx.url,
                output_format="xml",
                include_images=True,
                include_comments=False,
                include_tables=True,
                deduplicate=False,
            )
        except Exception:
            logger.exception("generic extractor failed on %s", self.ctx.url)
            return None
        if not xml:
            return None
        return blocks.assemble(
            _xml_blocks(xml),
            self.ctx.url,
            title=self.resolved.get("title", ""),
            summary=self.resolved.get("summary", ""),
        )
