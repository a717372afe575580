"""Layer 4: a generic main-content extractor for pages no other layer reads.

readability-lxml picks the element holding the article (by text density) and returns it as
cleaned HTML; the same block walker as the site layer then reads it, so line breaks, figures
and captions are handled exactly as on pages whose markup we know.
"""

from __future__ import annotations

import logging

from lxml import html as lxml_html

from newscrawl.compat import ReadabilityOverTree as _Parsed
from newscrawl.compat import readability_tree
from newscrawl.extract.base import BodyLayer
from newscrawl.extract.blocks import BodyParts

logger = logging.getLogger(__name__)
# readability's cleaned article must keep at least this share of its best candidate's text.
_MIN_KEPT_SHARE = 0.5


def _best_candidate(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    # readability's clean-up judges paragraphs by ASCII commas and drops CJK articles whole;
    # its scoring still finds the right element, so take that element as it is. (This changes
    # ``tree``: it is the last pass over it.)
    document = _Parsed(tree, copies=False)
    document.parse()
    for node in document.tags(document.html, "script", "style", "noscript"):
        node.drop_tree()
    best = document.select_best_candidate(document.score_paragraphs())
    return best["elem"] if best else None


def _kept_share(cleaned: lxml_html.HtmlElement, candidate: lxml_html.HtmlElement) -> float:
    """Share of ``candidate``'s text (by characters of its text runs) still found in ``cleaned``.

    Only the candidate's own text counts: chrome the clean-up kept (breadcrumb, headline,
    dateline, tags) must not make up for the article paragraphs it dropped.
    """
    kept_text = cleaned.text_content()
    runs = [run for run in (text.strip() for text in candidate.itertext()) if run]
    total = sum(map(len, runs))
    return sum(len(run) for run in runs if run in kept_text) / total if total else 1.0


def main_content(page_html: str) -> lxml_html.HtmlElement | None:
    """The page's main content element as readability-lxml finds it, or None."""
    if not page_html.strip():
        return None
    try:
        tree = readability_tree(page_html)  # parsed and cleaned up once for both passes
        summary = _Parsed(tree).summary(html_partial=True)
        cleaned = lxml_html.fragment_fromstring(summary, create_parent="div") if summary.strip() else None
        candidate = _best_candidate(tree)
    except Exception:
        # A third-party heuristic must never end the crawl; the page then counts as bodiless.
        logger.warning("generic extractor failed", exc_info=True)
        return None
    # The clean-up sometimes keeps a shell (breadcrumb, headline) and drops the paragraphs.
    if cleaned is None or candidate is None:
        return cleaned if candidate is None else candidate
    return cleaned if _kept_share(cleaned, candidate) >= _MIN_KEPT_SHARE else candidate


class GenericLayer(BodyLayer):
    """Body text from the page's densest content block."""

    name = "generic"

    def body_parts(self) -> BodyParts | None:
        root = main_content(self.ctx.html)
        if root is None:
            return None
        return self.assemble_body(root, guessed=True)
