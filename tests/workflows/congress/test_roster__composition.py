"""The congress roster: terms, all-or-nothing CSV import, seats by date, the composition rules of rules.md §2.1."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

import workflows.congress.tables  # noqa: F401  (registers the tables before PostgreSQL's create_all)
from engine.errors import ValidationFailed
from workflows.congress import composition, meetings, roster, roster_import
from workflows.congress.tables import Representative
from workflows.errors import RuleViolation

from helpers.congress import ADMIN, ELECTED, HEADER, MEETING_DAY, make_term, roster_rows
from helpers.congress import CHAIR as PRESIDIUM


def import_csv(services, term, text: str, *, bom: bool = False):
    return roster_import.import_representatives(services.uow(), term.id, (("\ufeff" if bom else "") + text).encode(),
                                         actor=ADMIN)


def report(services, term, on: date = MEETING_DAY) -> dict:
    return composition.composition(services.uow(readonly=True), term.id, services.rules, on)


def rules_broken(rep: dict, severity: str) -> list[str]:
    return [v["rule"] for v in rep["violations"] if v["severity"] == severity]


def rep_id(services, employee_no: str) -> int:
    uow = services.uow(readonly=True)
    with uow:
        return uow.session.scalar(select(Representative.id).where(Representative.employee_no == employee_no))


def seat_count(services) -> int:
    uow = services.uow(readonly=True)
    with uow:
        return uow.session.scalar(select(func.count()).select_from(Representative))


class TestComposition:
    def test_composition_needs_5_percent_of_the_headcount(self, services):
        term = make_term(services, headcount=1200)
        import_csv(services, term, HEADER + roster_rows(59))
        rep = report(services, term)
        assert (rep["seated"], rep["min_representatives"]) == (59, 60)
        assert rules_broken(rep, "hard") == ["min_representatives"] and rep["ok"] is False
        import_csv(services, term, HEADER + roster_rows(1, first=60, managers=0, women=0, dispatched=0))
        assert report(services, term)["ok"] is True

    def test_composition_needs_at_least_30_representatives_however_small_the_workforce(self, services):
        term = make_term(services, headcount=200, women=50, dispatched=10)
        import_csv(services, term, HEADER + roster_rows(29, managers=5, women=10, dispatched=2))
        rep = report(services, term)
        assert rep["min_representatives"] == 30 and rules_broken(rep, "hard") == ["min_representatives"]
        import_csv(services, term, HEADER + roster_rows(1, first=30, managers=0, women=0, dispatched=0))
        assert report(services, term)["ok"] is True

    def test_composition_rejects_more_than_20_percent_managers(self, services):
        term = make_term(services)
        import_csv(services, term, HEADER + roster_rows(60, managers=13))
        rep = report(services, term)
        assert (rep["managers"], rep["max_managers"]) == (13, 12)
        assert rules_broken(rep, "hard") == ["max_manager_share"]

    def test_composition_accepts_exactly_20_percent_managers_counting_senior_ones(self, services):
        term = make_term(services)
        rows = roster_rows(60, managers=11) + f"厂长,E9999,第1代表团,高层管理人员（领导人员）,男,否,{ELECTED},\n"
        import_csv(services, term, HEADER + rows)
        roster.end_representative(services.uow(), rep_id(services, "E0060"), reason="vacated", effective_on=ELECTED,
                                  actor=ADMIN)
        rep = report(services, term)
        assert (rep["seated"], rep["managers"], rep["by_category"]["senior_manager"]) == (60, 12, 1)
        assert rep["ok"] is True

    def test_composition_warns_when_women_are_below_their_share_of_the_workforce(self, services):
        term = make_term(services, women=600)
        import_csv(services, term, HEADER + roster_rows(60, women=20))
        rep = report(services, term)
        assert rules_broken(rep, "soft") == ["women_share"] and rep["ok"] is True
        assert rep["women"] == {"seats": 20, "share": 0.3333, "workforce": 600, "workforce_share": 0.5}

    def test_composition_warns_when_dispatched_workers_are_below_their_share_of_the_workforce(self, services):
        term = make_term(services, dispatched=240)
        import_csv(services, term, HEADER + roster_rows(60, dispatched=6))
        rep = report(services, term)
        assert rules_broken(rep, "soft") == ["dispatched_share"] and rep["ok"] is True

    def test_hard_composition_violation_blocks_creating_a_meeting_naming_the_rule(self, services):
        term = make_term(services)
        import_csv(services, term, HEADER + roster_rows(60, managers=13))
        with pytest.raises(RuleViolation) as caught:
            meetings.create_meeting(services.uow(), term.id, session_number=1, held_on=MEETING_DAY,
                                    rules=services.rules, actor=PRESIDIUM)
        assert caught.value.rule == "max_manager_share" and caught.value.errors["rule"] == ["max_manager_share"]
        assert "13 of 60 seats" in caught.value.message

    def test_hard_composition_violation_blocks_convening_a_meeting(self, services):
        term = make_term(services)
        import_csv(services, term, HEADER + roster_rows(60))
        meeting = meetings.create_meeting(services.uow(), term.id, session_number=1, held_on=MEETING_DAY,
                                          rules=services.rules, actor=PRESIDIUM)
        roster.end_representative(services.uow(), rep_id(services, "E0007"), reason="recalled",
                                  effective_on=date(2026, 2, 1), actor=ADMIN)
        with pytest.raises(RuleViolation) as caught:
            meetings.convene(services.uow(), meeting.id, rules=services.rules, actor=PRESIDIUM)
        assert caught.value.rules == ["min_representatives"]


class TestSeats:
    def test_seated_on_a_day_excludes_later_elections_and_recalls_effective_that_day(self, services):
        term = make_term(services)
        import_csv(services, term, HEADER + roster_rows(60))
        late = roster_rows(1, first=61, managers=0, women=0, dispatched=0).replace(str(ELECTED), "2026-03-03")
        import_csv(services, term, HEADER + late)
        roster.end_representative(services.uow(), rep_id(services, "E0001"), reason="recalled",
                                  effective_on=MEETING_DAY, actor=ADMIN)
        roster.end_representative(services.uow(), rep_id(services, "E0002"), reason="vacated",
                                  effective_on=date(2026, 3, 3), actor=ADMIN)
        seated = {r.employee_no for r in roster.list_representatives(services.uow(readonly=True), term.id,
                                                                       MEETING_DAY)}
        assert "E0001" not in seated and "E0002" in seated and "E0061" not in seated and len(seated) == 59

    def test_term_lasts_3_to_5_years(self, services):
        org = roster.create_organisation(services.uow(), name="甲", headcount=100, women_count=0,
                                         dispatched_count=0, actor=ADMIN)
        for number, ends in enumerate((date(2028, 12, 30), date(2031, 1, 2)), start=1):
            with pytest.raises(RuleViolation) as caught:
                roster.create_term(services.uow(), org.id, number=number, starts_on=date(2026, 1, 1), ends_on=ends,
                                   actor=ADMIN)
            assert caught.value.rule == "congress_term_years"
        for number, ends in enumerate((date(2028, 12, 31), date(2030, 12, 31)), start=1):
            term = roster.create_term(services.uow(), org.id, number=number, starts_on=date(2026, 1, 1),
                                      ends_on=ends, actor=ADMIN)
            assert term.number == number


class TestImport:
    def test_import_accepts_utf8_with_bom_and_chinese_headers_and_values(self, services):
        term = make_term(services)
        reps = import_csv(services, term, HEADER + roster_rows(3, managers=1, women=1, dispatched=1), bom=True)
        first, last = reps[0], reps[-1]
        assert (first.name, first.employee_no, first.delegation) == ("代表1", "E0001", "第1代表团")
        assert (first.category, first.gender, first.dispatched, first.username) == ("middle_manager", "female",
                                                                                    False, "rep001")
        assert (last.category, last.gender, last.dispatched, last.elected_on) == ("frontline", "male", True,
                                                                                   ELECTED)

    def test_import_accepts_english_headers_and_gb18030_from_excel(self, services):
        term = make_term(services)
        text = ("name,employee_no,delegation,category,gender,dispatched,elected_on\n"
                f"王芳,A1,一车间,technician,female,no,{ELECTED}\n")
        assert [r.category for r in import_csv(services, term, text)] == ["technician"]
        gbk = (HEADER + "李强,A2,二车间,其他,男,否,2026/1/10,\n").encode("gb18030")
        imported = roster_import.import_representatives(services.uow(), term.id, gbk, actor=ADMIN)
        assert [r.name for r in imported] == ["李强"]

    def test_import_with_a_duplicate_employee_number_imports_nothing_and_lists_the_row(self, services):
        term = make_term(services)
        rows = roster_rows(5).replace("E0004", "E0002")
        with pytest.raises(ValidationFailed) as caught:
            import_csv(services, term, HEADER + rows)
        assert caught.value.errors["rows"] == [{"row": 5, "column": "工号",
                                                "message": "employee_no 'E0002' duplicates row 3",
                                                "code": "duplicate_row", "params": {"value": "E0002", "first": 3}}]
        assert seat_count(services) == 0

    def test_import_refuses_an_employee_number_already_seated(self, services):
        term = make_term(services)
        import_csv(services, term, HEADER + roster_rows(3))
        with pytest.raises(ValidationFailed) as caught:
            import_csv(services, term, HEADER + roster_rows(2, first=3))
        problems = caught.value.errors["rows"]
        assert [(p["row"], p["column"]) for p in problems] == [(2, "工号"), (2, "用户名")]
        assert "employee_no 'E0003' is already seated in this term" in problems[0]["message"]
        assert seat_count(services) == 3

    def test_import_reports_every_bad_cell_with_its_row_and_column(self, services):
        term = make_term(services)
        rows = (f"甲,B1,一团,一线职工,男,否,{ELECTED},\n"
                f",B2,一团,厨师,未知,也许,2026-13-01,\n")
        with pytest.raises(ValidationFailed) as caught:
            import_csv(services, term, HEADER + rows)
        cells = {(p["row"], p["column"]) for p in caught.value.errors["rows"]}
        assert cells == {(3, "姓名"), (3, "类别"), (3, "性别"), (3, "派遣"), (3, "当选日期")}
        assert seat_count(services) == 0

    def test_import_refuses_unknown_and_missing_columns(self, services):
        term = make_term(services)
        with pytest.raises(ValidationFailed) as caught:
            import_csv(services, term, "姓名,工号,部门\n甲,1,x\n")
        problems = caught.value.errors["rows"]
        assert (problems[0]["row"], problems[0]["column"], problems[0]["code"]) == (1, "部门", "unknown_column")
        assert {p["column"] for p in problems[1:]} == {"代表团", "类别", "性别", "当选日期"}
        assert {p["code"] for p in problems[1:]} == {"missing_column"}

    def test_a_recalled_representative_may_be_seated_again(self, services):
        term = make_term(services)
        import_csv(services, term, HEADER + roster_rows(1))
        roster.end_representative(services.uow(), rep_id(services, "E0001"), reason="recalled",
                                  effective_on=date(2026, 2, 1), actor=ADMIN)
        again = roster_rows(1).replace(str(ELECTED), "2026-02-15")
        assert [r.employee_no for r in import_csv(services, term, HEADER + again)] == ["E0001"]
