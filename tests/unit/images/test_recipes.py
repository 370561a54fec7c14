"""Derivative planning: widths never upscaled, crops around a focal point, keys that change with what shapes a file."""

from __future__ import annotations

from sitegen.config import ImagesConfig
from sitegen.images.recipes import Probe, crop_box, recipes_for, social, widths_for


def test_widths_never_upscale() -> None:
    assert widths_for(3000, (480, 800, 1200, 1600)) == [480, 800, 1200, 1600]
    assert widths_for(1000, (480, 800, 1200, 1600)) == [480, 800, 1000]
    assert widths_for(300, (480, 800)) == [300]
    assert widths_for(800, (480, 800)) == [480, 800]


def test_crops_centre_on_the_focus_within_the_picture() -> None:
    assert crop_box(1600, 1200, (16, 9), (0.5, 0.5)) == (0, 150, 1600, 1050)
    assert crop_box(1600, 1200, (16, 9), (0.5, 0.0)) == (0, 0, 1600, 900)  # clamped at the top
    assert crop_box(1600, 1200, (16, 9), (0.5, 1.0)) == (0, 300, 1600, 1200)
    assert crop_box(4000, 1000, (16, 9), (0.1, 0.5)) == (0, 0, 1777, 1000)  # wide: keeps the height
    assert crop_box(4000, 1000, (16, 9), (0.9, 0.5)) == (2223, 0, 4000, 1000)


def test_social_card_is_1200_by_630_or_smaller_never_larger() -> None:
    settings = ImagesConfig()
    assert (social(Probe(4000, 3000, False, False), "d", settings, (0.5, 0.5)).width,
            social(Probe(4000, 3000, False, False), "d", settings, (0.5, 0.5)).height) == (1200, 630)  # fmt: skip
    small = social(Probe(600, 450, False, False), "d", settings, (0.5, 0.5))
    assert (small.width, small.height) == (600, 315)


def test_keys_change_with_the_source_and_the_recipe() -> None:
    settings = ImagesConfig()
    probe = Probe(2000, 1500, False, False)
    first = {r.key for r in recipes_for(probe, "a", settings, ())}
    assert len(first) == 4 * 3  # four widths, three formats
    assert not first & {r.key for r in recipes_for(probe, "b", settings, ())}
    with_focus = recipes_for(probe, "a", settings, ((0.3, 0.3),))
    assert first < {r.key for r in with_focus}
    assert recipes_for(Probe(100, 100, False, True), "a", settings, ((0.5, 0.5),)) == []  # animated: as it is
    assert {r.format for r in recipes_for(Probe(100, 100, True, False), "a", settings, ())} == {"avif", "webp", "png"}
