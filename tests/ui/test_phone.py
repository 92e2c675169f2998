"""The pages on a phone-sized screen: nothing wider than the screen, tables shown as cards."""

from __future__ import annotations

from engine import runtime
from engine.identity import SYSTEM, Actor, create_user
from engine.passwords import set_password

from .conftest import PASSWORD


def test_an_officer_can_work_on_a_phone(ui, live_server):
    runtime.start_instance(live_server.services.uow(), "proposal_intake",
                           actor=Actor("rep", frozenset({"representative"})))
    page = ui.page
    page.set_viewport_size({"width": 390, "height": 844})
    ui.login("rep")
    for path, name, expected in (("/tasks", "phone-inbox", "提交提案"), ("/processes", "phone-processes", "发起")):
        page.goto(ui.url(path))
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        ui.shot(name, expected)
    page.goto(ui.url("/tasks"))
    page.locator("#inbox a", has_text="提交提案").first.click()
    page.wait_for_selector("#task-form")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator("#f-title").bounding_box()["width"] > 300  # inputs use the screen's width
    ui.shot("phone-task", "案由")


def test_on_a_phone_each_label_of_the_admin_forms_sits_above_its_field(ui):
    page = ui.page
    page.set_viewport_size({"width": 390, "height": 844})
    ui.login("admin")
    for path, form in (("/admin/calendar", "#calendar-form"), ("/admin/calendar", "#year-form"),
                       ("/admin/departments", "#dept-form")):
        page.goto(ui.url(path))
        apart = page.evaluate("""sel => Array.from(document.querySelectorAll(sel + ' label')).filter(label => {
            const field = label.querySelector('input, select, textarea');
            const l = label.getBoundingClientRect(), f = field.getBoundingClientRect();
            return Math.abs(f.left - l.left) > 2 || f.top <= l.top; }).map(label => label.textContent.trim())""", form)
        assert apart == [], f"{path} {form}: labels beside or after their fields"
    ui.shot("phone-departments", "部门管理")


def test_on_a_phone_a_long_name_gives_way_to_the_header_s_buttons(ui, live_server):
    services = live_server.services
    create_user(services.uow(), "long_name", ["dept_hr"], actor=SYSTEM, display_name="罗军（人力资源部·厂务公开）")
    set_password(services.uow(), "long_name", PASSWORD, actor=SYSTEM)
    page = ui.page
    page.set_viewport_size({"width": 390, "height": 844})
    ui.login("long_name", lang="en")
    heights = page.evaluate("""() => ['#lang-toggle', '#logout', '#menu-toggle summary'].map(
        sel => document.querySelector(sel).getBoundingClientRect().height)""")
    assert max(heights) < 40, heights  # one line each: "中文" and "Log out" are not broken in two
    brand, toggle = (page.locator(sel).bounding_box() for sel in (".brand", "#menu-toggle"))
    assert toggle["y"] < brand["y"] + brand["height"]  # 菜单 beside the name of the application, not under it
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ui.shot("phone-header-long-name", "Log out")
