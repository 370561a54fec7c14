"""URLs: readable Latin slugs for Armenian titles (the guide's table: ու → u, և → ev, initial ե → ye, initial ո → vo),
other slugs, permalinks and unsafe URLs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sitegen.urls import permalink, slugify, unsafe_url_reason


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
        ("Ուրախ օր", "urakh-or"),
        ("Որոտան", "vorotan"),
        ("Մխիթարյանը՝ «Ինտեր»-ում", "mkhitaryany-inter-um"),  # Armenian punctuation is a separator
        ("Ani Petrosyan", "ani-petrosyan"),
        ("Café crème", "cafe-creme"),
        ("Iran", "iran"),
        ("Tête-à-tête!", "tete-a-tete"),
    ],
)
def test_armenian_titles_get_readable_slugs(title: str, slug: str) -> None:
    assert slugify(title) == slug


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Москва и Санкт-Петербург", "moskva-i-sankt-peterburg"),
        ("Київ", "kiiv"),
        ("Царь", "tsar"),  # no mark for the soft sign
        ("Αθήνα Θεσσαλονίκη", "athena-thessalonike"),
        ("თბილისი საქართველო", "tbilisi-sakartvelo"),  # no marks for aspirates
        ("北京欢迎你", "bei-jing-huan-ying-ni"),
        ("Straße Ærø", "strasse-aero"),
        ("Հայաստան and Москва", "hayastan-and-moskva"),  # sitegen's Armenian table still comes first
    ],
)
def test_every_script_gets_a_readable_latin_slug(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_aspirates_carry_no_marks() -> None:
    # unidecode writes p` for փ, which python-slugify turns into "p-ashinyan"
    assert "-" not in slugify("Փթքչց")
    assert slugify("Փթքչց").isascii()


def test_permalink_and_unsafe_urls() -> None:
    when = datetime(2025, 9, 10, tzinfo=UTC)
    assert permalink("/{section}/{slug}/", "", "x", when) == "/x/"
    assert permalink("/{year}/{month}/{day}/{slug}/", "news", "x", when) == "/2025/09/10/x/"
    for bad in ("/../x/", "/a/./b/", "/a\\b/", "/a\x00/"):
        assert unsafe_url_reason(bad)
    assert unsafe_url_reason("/news/x/") is None
