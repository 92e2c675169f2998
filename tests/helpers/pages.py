"""Steps that several browser tests take the same way."""

from __future__ import annotations


def fill_proposal_form(page, title: str = "食堂扩建", cosigners: tuple[str, ...] = ("E1001", "E1002")) -> None:
    """Fill the proposal intake's submit form (案由, 理由, 建议措施, 附议人) and submit it."""
    page.fill("#f-title", title)
    page.fill("#f-reason", "午餐排队太久")
    page.fill("#f-measures", "增加窗口")
    for n, number in enumerate(cosigners):
        if n:
            page.click("#f-cosigners button.add-item")
        page.locator("#f-cosigners input").nth(n).fill(number)
    page.click("#complete")
    page.wait_for_selector("#instance-status")
