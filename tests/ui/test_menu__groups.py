"""The menu: an administrator's many entries sit in a few labelled groups (<details> disclosures) so that the
menu fits a desktop screen without scrolling, every entry is reachable on a phone, and the groups are used with
the keyboard, with or without script."""

from __future__ import annotations

import pytest

from helpers.web import PASSWORD

PHONE = {"width": 390, "height": 844}


def _entries(menu: list) -> list[str]:
    return [e for item in menu for e in (item[1] if isinstance(item, list) else [item])]


def _inside_screen(page, selector: str) -> bool:
    return page.evaluate("""sel => Array.from(document.querySelectorAll(sel)).every(el => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth; })""", selector)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_administrators_menu_fits_a_desktop_screen_without_scrolling(ui, lang):
    page = ui.login("admin", lang=lang)
    assert len(_entries(ui.menu())) >= 15  # the long menu, in groups
    assert _inside_screen(page, "nav.menu > a, nav.menu > details > summary")
    assert page.evaluate("(n => n.scrollWidth <= n.clientWidth)(document.querySelector('nav.menu'))")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.click("[data-nav-group=people] > summary")
    assert _inside_screen(page, "[data-nav-group=people] a")
    ui.shot(f"menu-admin-{lang}", "人员与组织" if lang == "zh-CN" else "People and organisations")


def test_a_menu_group_is_opened_walked_and_closed_with_the_keyboard(ui):
    page = ui.login("admin")
    people = page.locator("[data-nav-group=people]")
    assert not page.locator("[data-nav=users]").is_visible()  # folded until asked for
    page.focus("[data-nav-group=people] > summary")
    page.keyboard.press("Enter")
    assert page.locator("[data-nav=users]").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.nav") == "roster"
    page.keyboard.press("Escape")  # closes, and the focus goes back to the group's label
    assert not people.evaluate("d => d.open")
    assert page.evaluate("document.activeElement.parentElement.dataset.navGroup") == "people"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/users")
    assert page.get_attribute("[data-nav=users]", "aria-current") == "page"
    assert "current" in page.get_attribute("[data-nav-group=people] > summary", "class")  # where one is
    # one group open at a time; a click elsewhere closes it
    page.click("[data-nav-group=flows] > summary")
    page.click("[data-nav-group=disclosure] > summary")
    opened = "Array.from(document.querySelectorAll('details.menu-group[open]')).map(d => d.dataset.navGroup)"
    assert page.evaluate(opened) == ["disclosure"]
    page.click("main h1")
    assert page.locator("details.menu-group[open]").count() == 0
    # tabbing past a group's last entry closes it
    page.focus("[data-nav-group=people] > summary")
    page.keyboard.press("Enter")
    for _ in range(5):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.nav") == "calendar"
    assert not people.evaluate("d => d.open")


def test_the_menu_groups_open_without_script(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(live_server.url + "/login")
        page.fill("#username", "admin")
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_selector("#who")
        page.focus("[data-nav-group=people] > summary")
        page.keyboard.press("Enter")
        page.click("[data-nav=organisations]")
        page.wait_for_url("**/admin/organisations")
    finally:
        context.close()


def test_on_a_phone_the_menu_folds_away_and_every_entry_is_reachable(ui):
    page = ui.page
    page.set_viewport_size(PHONE)
    page = ui.login("admin")
    assert not page.locator("nav.menu").is_visible()  # the page starts with its content, not the menu
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator(".brand").bounding_box()["height"] < 48  # the home link is one line, no name stacked
    page.click("#menu-toggle summary")
    for item in ui.menu():
        if isinstance(item, list):
            page.click(f"[data-nav-group={item[0]}] > summary")
            assert _inside_screen(page, f"[data-nav-group={item[0]}] a"), item
        else:
            assert _inside_screen(page, f"nav.menu > [data-nav={item}]"), item
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ui.shot("menu-admin-phone", "人员与组织")
    ui.nav("calendar")
    page.wait_for_url("**/admin/calendar")
    ui.nav("organisations")
    page.wait_for_url("**/admin/organisations")
