"""The extraction contract (newscrawl.extract.fields): declared fields, typed answers, vetoes."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from newscrawl.extract import article
from newscrawl.extract.article import LAYERS, extract_article
from newscrawl.extract.base import Layer
from newscrawl.extract.blocks import BodyParts
from newscrawl.extract.context import PageContext
from newscrawl.extract.fields import (
    RECORD_FIELDS,
    SPECS,
    ArticleFields,
    FieldTypeError,
    UnknownFieldError,
    answers,
    check_answer,
    vetoes,
)
from newscrawl.extract.site import SiteLayer
from newscrawl.sites.vietnamvn import VIETNAM_VN
from newscrawl.urls import UrlMapper

URL = "https://www.vietnam.vn/en/some-article-slug"
MAPPER = UrlMapper(None, VIETNAM_VN)


def test_a_misspelt_field_method_fails_at_class_creation() -> None:
    with pytest.raises(UnknownFieldError, match="'titel'"):

        class Misspelt(Layer):
            @answers
            def titel(self) -> str | None:
                return "never asked"


def test_a_field_method_without_declaration_fails() -> None:
    with pytest.raises(UnknownFieldError, match="not declared"):

        class Undeclared(Layer):
            def title(self) -> str | None:
                return "would be silently ignored"


def test_a_veto_of_an_unknown_field_fails() -> None:
    with pytest.raises(UnknownFieldError, match="'bodi'"):

        class Vetoing(Layer):
            @vetoes("bodi")
            def empty(self) -> bool:
                return True


def test_layers_declare_their_fields() -> None:
    declared = {layer.name: set(layer.answered) for layer in LAYERS}
    assert declared["generic"] == {"body", "images"}
    assert declared["structured"] == {
        "title", "summary", "published_at", "modified_at", "authors", "tags", "translations", "is_article",
    }  # fmt: skip
    assert set().union(*declared.values()) == set(SPECS)
    assert SiteLayer.vetoed == {"body": "body_container_empty"}


def test_record_fields_are_declared_once_in_order() -> None:
    assert tuple(ArticleFields.__annotations__) == RECORD_FIELDS
    assert RECORD_FIELDS.index("body") < RECORD_FIELDS.index("source_url") < RECORD_FIELDS.index("images")
    assert SPECS["images"].follows == "body" and SPECS["body"].answer is BodyParts


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        ("title", "A title", ["A title"]),
        ("authors", ["A", "B"], ["A", 1]),
        ("translations", {"fr": "https://www.vietnam.vn/fr/x"}, {"fr": None}),
        ("body", BodyParts(["p"]), "p"),
        ("images", [{"url": "https://x/a.jpg", "caption": None}], [{"url": "https://x/a.jpg"}]),
        ("is_article", True, "yes"),
    ],
)
def test_answers_are_checked_against_the_declared_type(field: str, good: Any, bad: Any) -> None:
    spec = SPECS[field]
    assert check_answer(spec, good, "test") is good
    assert check_answer(spec, None, "test") is None
    with pytest.raises(FieldTypeError, match=field):
        check_answer(spec, bad, "test")


def test_a_wrong_type_is_logged_and_skipped_outside_tests(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("NEWSCRAWL_STRICT_FIELDS")

    class WrongTitle(Layer):
        name = "wrong"

        @answers
        def title(self) -> str | None:
            return ["not", "a", "string"]  # type: ignore[return-value]

    monkeypatch.setattr(article, "LAYERS", (WrongTitle, *LAYERS))
    ctx = PageContext.from_html("<html><head><title>Right</title></head></html>", URL, "en", MAPPER)
    with caplog.at_level(logging.ERROR):
        result = extract_article(ctx)
    assert result.fields["title"] == "Right" and result.layers["title"] == "patterns"
    assert "'wrong' answered 'title' with a list" in caplog.text


def test_the_empty_site_body_vetoes_the_generic_guess() -> None:
    filler = "<p>" + "Chrome text that readability would take for an article body. " * 20 + "</p>"
    page = f'<html><body><div class="post-detail-content"></div><div>{filler}</div></body></html>'
    result = extract_article(PageContext.from_html(page, URL, "en", MAPPER))
    assert result.body_container_empty and result.vetoed == {"body": "selectors"}
    assert "body" not in result.fields and "images" not in result.fields
