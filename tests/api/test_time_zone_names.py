"""Times on pages and in deadlines name the zone as people do (北京时间 for Asia/Shanghai), never a fixed 北京时间
when the enterprise is elsewhere: the installation's DMFLOW_TIMEZONE, or the signed-in user's organisation's own."""

from __future__ import annotations

from api.extension import Services
from api.web.i18n import t
from engine import tenancy

from helpers.tenancy import organisation


def test_page_texts_name_the_configured_zone_in_the_page_language(app, clock):
    with app.test_request_context():
        assert t("ins.until", day="2026-04-30") == "2026-04-30 24时止（北京时间）"
        assert t("ins.until", lang="en", day="2026-04-30") == "until the end of 2026-04-30 (Beijing time)"
    app.config["TIMEZONE"] = "Asia/Urumqi"
    app.extensions["dmflow"].db.dispose()
    app.extensions["dmflow"] = Services(app, clock)  # the installation's zone is read when the app starts
    with app.test_request_context():
        assert t("ins.until", day="2026-04-30") == "2026-04-30 24时止（乌鲁木齐时间）"
        assert t("ins.until", lang="en", day="2026-04-30") == "until the end of 2026-04-30 (Urumqi time)"


def test_page_texts_name_the_signed_in_users_organisations_zone(app, services):
    xj = organisation(services, "xj")
    uow = services.uow()
    with uow:
        tenancy.get(uow.session, xj).settings = {"time_zone": "Asia/Urumqi"}
        uow.commit()
    tenancy.forget()
    with app.test_request_context():
        tenancy.set_current(xj)
        assert t("ins.until", day="2026-04-30") == "2026-04-30 24时止（乌鲁木齐时间）"
        tenancy.set_current(None)
        assert t("ins.until", day="2026-04-30") == "2026-04-30 24时止（北京时间）"
