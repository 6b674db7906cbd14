"""The lecture map names only tabs that exist, and every tab of the app is reachable from it."""
from __future__ import annotations

import app
from explorer.i18n import TEXT
from explorer.ui import lecture


def test_every_box_opens_a_tab_that_exists_and_every_tab_is_on_the_map():
    named = {tab for tabs in lecture.LIVE.values() for tab in tabs}
    assert named <= set(app.TABS)
    assert named == set(app.TABS) - {"lecture"}


def test_every_box_has_its_words_in_both_languages():
    for key in [*lecture.LIVE, "direct", "indirect", "unsup_live"]:
        en, zh = TEXT[f"lec.{key}"]
        assert en and zh and en != zh
