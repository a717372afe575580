"""The extraction contract: every field a page yields, declared once with its type.

:class:`ArticleFields` lists the record's extracted fields in the order the orchestrator
(:mod:`newscrawl.extract.article`) resolves them; :data:`SPECS` adds how a layer answers each
one and the page verdict ``is_article``. A layer declares what it can answer with decorated
methods, as a fundus parser declares its attributes::

    class StructuredLayer(Layer):
        name = "structured"

        @answers
        def title(self) -> str | None: ...

        @answers
        def is_article(self) -> bool | None: ...

:func:`answers` takes the field's name from the method's and fails at import time when no
field has that name, so a misspelt method is an error, not a field nobody asks for; a method
named like a field but not decorated fails too (see ``Layer.__init_subclass__``).
:func:`vetoes` declares a method that, when true, forbids the later layers to answer a field
they would only guess (the site layer's empty body element: scripts fill it in).

Every answer is checked against its field's declared type (:func:`check_answer`). A wrong type
is a bug in the layer: with ``NEWSCRAWL_STRICT_FIELDS=1`` in the environment (the test suite
sets it) it raises :class:`FieldTypeError`; otherwise it is logged as an error (Scrapy counts
``log_count/ERROR``) and the answer is skipped, as if the layer had none.
"""

from __future__ import annotations

import logging
import os
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict, TypeVar, Union, get_args, get_origin, get_type_hints, is_typeddict

from newscrawl.extract.blocks import BodyParts

logger = logging.getLogger(__name__)


class Image(TypedDict):
    """One image of the article: its absolute URL and its caption (None when it has none)."""

    url: str
    caption: str | None


class ArticleFields(TypedDict, total=False):
    """The record's extracted fields and their types, in the order they are resolved.

    Metadata comes first: the body layers leave the resolved title, lead, outlet and authors
    out of the body. The source link may come from the body's source line, so it follows the
    body; the images are those of the body (see :data:`SPECS`).
    """

    title: str
    summary: str
    source_name: str
    published_at: str  # ISO 8601 with offset
    modified_at: str
    authors: list[str]
    tags: list[str]
    translations: dict[str, str]  # {lang: canonical URL}
    sections: list[str]  # category slugs
    body: str  # paragraphs separated by a blank line
    source_url: str
    images: list[Image]


class UnknownFieldError(TypeError):
    """A layer declares a method for a field the contract does not have (a misspelling, say)."""


class FieldTypeError(TypeError):
    """A layer answered a field with a value of the wrong type."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How layers answer one field."""

    name: str
    answer: Any  # the type of a layer's answer (the record's type unless it is built from it)
    check: Callable[[Any], bool]  # whether a value has that type
    # Asked only of the layer that answered this other field, and kept even when empty.
    follows: str | None = None
    # The record's value from the answer (the body's paragraphs joined, say).
    to_record: Callable[[Any], Any] | None = None


def _checker(hint: Any) -> Callable[[Any], bool]:
    """A predicate telling whether a value has type ``hint`` (classes, unions, lists, dicts, TypedDicts)."""
    origin = get_origin(hint)
    if hint is Any:
        return lambda value: True
    if hint is None or hint is type(None):
        return lambda value: value is None
    if origin in (Union, types.UnionType):
        options = tuple(map(_checker, get_args(hint)))
        return lambda value: any(check(value) for check in options)
    if origin is list:
        item = _checker(get_args(hint)[0])
        return lambda value: isinstance(value, list) and all(map(item, value))
    if origin is dict:
        key_type, value_type = map(_checker, get_args(hint))
        return lambda value: (
            isinstance(value, dict) and all(map(key_type, value)) and all(map(value_type, value.values()))
        )
    if is_typeddict(hint):
        keys = {key: _checker(value) for key, value in get_type_hints(hint).items()}
        return lambda value: (
            isinstance(value, dict)
            and value.keys() == keys.keys()
            and all(keys[k](v) for k, v in value.items())
        )
    if isinstance(hint, type):
        return lambda value: isinstance(value, hint)
    raise TypeError(f"no check for the type {hint!r}")


def _join_paragraphs(parts: BodyParts) -> str:
    return "\n\n".join(parts.paragraphs)


def _spec(name: str, answer: Any, **options: Any) -> FieldSpec:
    return FieldSpec(name, answer, _checker(answer), **options)


_RECORD_TYPES = get_type_hints(ArticleFields)
# How a field is answered when that is not as its record value, and what follows what.
_ANSWERED_AS: dict[str, dict[str, Any]] = {
    # A body layer answers the sorted blocks of one walk of its body element: the paragraphs
    # make the body, and the same walk's images answer ``images``.
    "body": {"answer": BodyParts, "to_record": _join_paragraphs},
    "images": {"follows": "body"},
}

#: The record's extracted fields, in resolution order.
RECORD_FIELDS: tuple[str, ...] = tuple(_RECORD_TYPES)
#: Everything a layer may answer: the record's fields, then the page verdict ``is_article``
#: (the first layer that can tell says whether the page is an article at all).
SPECS: dict[str, FieldSpec] = {
    **{
        name: _spec(name, **({"answer": hint} | _ANSWERED_AS.get(name, {})))
        for name, hint in _RECORD_TYPES.items()
    },
    "is_article": _spec("is_article", bool),
}


def strict() -> bool:
    """Whether a wrong answer type raises (``NEWSCRAWL_STRICT_FIELDS`` set, not ``0``)."""
    return os.environ.get("NEWSCRAWL_STRICT_FIELDS", "") not in ("", "0")


def check_answer(spec: FieldSpec, value: Any, layer: str) -> Any:
    """``value`` if it is None or of the field's type; else raise (strict) or log and give None."""
    if value is None or spec.check(value):
        return value
    message = f"layer {layer!r} answered {spec.name!r} with a {type(value).__name__}, not {spec.answer!r}"
    if strict():
        raise FieldTypeError(message)
    logger.error("%s: answer skipped", message)
    return None


Method = TypeVar("Method", bound=Callable[..., Any])
ANSWERS = "__answers_field__"
VETOES = "__vetoes_field__"


def _known(name: str, where: str) -> str:
    if name not in SPECS:
        raise UnknownFieldError(f"{where}: there is no field {name!r}; the fields are {', '.join(SPECS)}")
    return name


def answers(method: Method) -> Method:
    """Declare ``method`` the layer's answer for the field it is named after.

    It returns a value of the field's type, or None when the layer finds none on the page.
    Raises :class:`UnknownFieldError` (at import time) when no field has the method's name.
    """
    setattr(method, ANSWERS, _known(method.__name__, method.__qualname__))
    return method


def vetoes(field: str) -> Callable[[Method], Method]:
    """Declare a method telling, when this layer has no answer for ``field``, that no later
    layer may answer it either: a later answer would be a guess, and a wrong one.
    """

    def declare(method: Method) -> Method:
        setattr(method, VETOES, _known(field, method.__qualname__))
        return method

    return declare
