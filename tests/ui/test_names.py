"""Names, not codes: every lane of the bundled diagrams has a role label in both languages, legal bases show
without the research marks (U), (V), (V~), and ordinals are Chinese on Chinese pages."""

from __future__ import annotations

import re
from pathlib import Path

from api.web import labels
from api.web.i18n import role_codes

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def test_every_lane_of_the_bundled_diagrams_has_a_role_label():
    lanes = {m for f in BPMN.rglob("*.bpmn") for m in re.findall(r'<bpmn:lane id="[^"]+" name="([^"]+)"',
                                                                 f.read_text(encoding="utf-8"))}
    roles = role_codes()
    assert lanes and lanes <= roles, sorted(lanes - roles)


def test_a_legal_basis_shows_without_research_marks(app):
    basis = "中办发〔2002〕13号 (U); 企业民主管理规定 (2012) 厂务公开 (U); 河北省厂务公开规定 (V~); 工资办法 (V, local)"
    plain = "中办发〔2002〕13号; 企业民主管理规定 (2012) 厂务公开; 河北省厂务公开规定; 工资办法"
    assert labels.plain_basis(basis) == plain


def test_ordinals_are_chinese_on_chinese_pages(app):
    with app.test_request_context():
        assert labels.ordinal(5) == "五"
    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        assert labels.ordinal(5) == "5"
