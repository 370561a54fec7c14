"""Readable Latin slugs for Armenian titles (the guide's table: ու → u, և → ev, initial ե → ye, initial ո → vo)."""

from __future__ import annotations

import pytest

from sitegen.urls import slugify


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Երևան", "yerevan"),
        ("Փաշինյան", "pashinyan"),
        ("Նիկոլ Փաշինյան", "nikol-pashinyan"),
        ("ԵՐԵՎԱՆ", "yerevan"),  # capitals fold first
        ("Երեւան", "yerevan"),  # the older spelling with ե + ւ
        ("Ուկրաինա", "ukraina"),  # ու is "u" at the start of a word too
        ("Թուրքիա", "turkia"),
        ("Ոսկի", "voski"),  # initial ո → vo
        ("Հայաստան և Եվրոպա", "hayastan-ev-yevropa"),
        ("Էջմիածին", "ejmiatsin"),
        ("Արցախ", "artsakh"),
        ("Ղարաբաղ", "gharabagh"),
        ("Մխիթարյանը՝ «Ինտեր»-ում", "mkhitaryany-inter-um"),  # Armenian punctuation is a separator
        ("Ani Petrosyan", "ani-petrosyan"),
        ("Café crème", "cafe-creme"),
    ],
)
def test_armenian_titles_get_readable_slugs(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_aspirates_carry_no_marks() -> None:
    # unidecode writes p` for փ, which python-slugify turns into "p-ashinyan"
    assert "-" not in slugify("Փթքչց")
    assert slugify("Փթքչց").isascii()
