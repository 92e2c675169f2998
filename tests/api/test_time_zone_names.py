"""Times on pages and in deadlines name the configured zone as people do (北京时间 for Asia/Shanghai), never a
fixed 北京时间 when the enterprise is elsewhere."""

from __future__ import annotations

from api.web.i18n import t


def test_page_texts_name_the_configured_zone_in_the_page_language(app):
    with app.test_request_context():
        assert t("ins.until", day="2026-04-30") == "2026-04-30 24时止（北京时间）"
        assert t("ins.until", lang="en", day="2026-04-30") == "until the end of 2026-04-30 (Beijing time)"
    app.config["TIMEZONE"] = "Asia/Urumqi"
    with app.test_request_context():
        assert t("ins.until", day="2026-04-30") == "2026-04-30 24时止（乌鲁木齐时间）"
        assert t("ins.until", lang="en", day="2026-04-30") == "until the end of 2026-04-30 (Urumqi time)"

