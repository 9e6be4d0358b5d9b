"""Sparsemax and 1.5-entmax in headless Chromium against a real server."""

from __future__ import annotations

import pytest

from harness.page import settled_pixels, wait_for_change, wait_for_link

from .conftest import save_screenshot

pytestmark = pytest.mark.browser


def test_each_mapping_redraws_the_panels_and_a_kink_is_named(server, open_page):
    page, log = open_page(server.url)
    shown = {"softmax": settled_pixels(page, "bars")}
    for label, mapping in (("sparsemax", "sparsemax"), ("1.5-entmax", "entmax15")):
        page.locator(".softmax-explorer-mapping button", has_text=label).click()
        wait_for_link(page, lambda s, mapping=mapping: s.mapping == mapping)
        shown[mapping] = wait_for_change(page, "bars", shown["softmax"])
        heading = label.replace("sparsemax", "Sparsemax")  # the formulas, once the hand pauses
        page.locator(".softmax-explorer-formulas b", has_text=heading).wait_for()
    assert len(set(shown.values())) == 3  # three different pictures
    save_screenshot(page, "mappings-entmax15")

    kink, _ = open_page(server.url + "?preset=kink")
    text = kink.locator(".softmax-explorer-formulas").inner_text()
    assert "not differentiable here" in text
    assert "one-sided slopes" in text
    assert kink.locator(".softmax-explorer-verdict-nondifferentiable").count() == 1
    assert not log.page_errors
