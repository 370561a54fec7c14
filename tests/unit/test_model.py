"""An article's Body: held, or loaded once when first read, and never hidden from templates when it fails."""

from __future__ import annotations

import jinja2
import pytest

from sitegen.errors import ContentError, error
from sitegen.model import Body, Text


def test_a_body_loads_once_when_first_read_and_can_let_go_of_its_html() -> None:
    loads: list[int] = []

    def load() -> Text:
        loads.append(1)
        return Text("<p>Text</p>", "Text", 1)

    body = Body(None, "Known excerpt", 3)
    body.load_with(load)
    assert body.excerpt == "Known excerpt" and body.reading_minutes == 3 and loads == [], "known parts load nothing"
    assert not body.loaded
    assert body.html == "<p>Text</p>" and body.html == "<p>Text</p>" and loads == [1]
    assert body.loaded
    body.release()
    assert not body.loaded and body.known == ("Text", 1)
    assert body.html == "<p>Text</p>" and loads == [1, 1], "released HTML loads again"


def test_a_body_without_a_loader_keeps_its_html() -> None:
    body = Body.of(Text("<p>Held</p>", "Held", 1))
    body.release()
    assert body.loaded and body.html == "<p>Held</p>"


def test_an_article_problem_reaches_the_page_that_shows_it() -> None:
    def broken() -> Text:
        raise ContentError([error("content/x.md", 3, "the body nests lists or quotes too deeply")])

    body = Body()
    body.load_with(broken)
    with pytest.raises(ContentError) as caught:
        _ = body.html
    assert caught.value.problem.path == "content/x.md"


def test_a_failing_loader_is_never_an_empty_body_in_a_template() -> None:
    """Jinja takes an AttributeError for a missing attribute and prints nothing: a loader's must not get out as one."""

    def buggy() -> Text:
        raise AttributeError("'NoneType' object has no attribute 'html'")

    body = Body()
    body.load_with(buggy)
    template = jinja2.Environment(undefined=jinja2.Undefined).from_string("[{{ body.html }}]")
    with pytest.raises(RuntimeError, match="could not be loaded"):
        template.render(body=body)
    with pytest.raises(RuntimeError, match="before it was loaded"):
        _ = Body().html
