"""Legal calendar: statutory day counting (民法典 第201-203条) on China's official calendar."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from workflows.calendar import DayMode, DaySource, Deadline, LegalCalendar, add_months, make_helpers

# Every date below was checked against chinese_calendar 1.11.0 (State Council notices) and, for 2027,
# holidays 0.109. 2025 National Day + Mid-Autumn: 10-01..10-08 off; adjusted working Sun 09-28, Sat 10-11.
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date


@pytest.fixture
def cal() -> LegalCalendar:
    return LegalCalendar()


def test_calendar_deadline_does_not_count_the_start_day(cal):
    deadline = cal.deadline(D(2025, 3, 3), 10)  # Mon; day 1 is 03-04, day 10 is Thu 03-13

    assert deadline.last_day == D(2025, 3, 13)
    assert deadline.confirmed


def test_deadline_ending_on_national_day_moves_to_next_working_day(cal):
    deadline = cal.deadline(D(2025, 9, 11), 20)  # day 20 = Wed 2025-10-01, off until 10-08

    assert deadline.last_day == D(2025, 10, 9)
    assert deadline.due == dt.datetime(2025, 10, 10, tzinfo=SHANGHAI)


def test_deadline_ending_on_spring_festival_moves_past_the_in_lieu_days(cal):
    deadline = cal.deadline(D(2025, 1, 18), 10)  # day 10 = Tue 01-28; off 01-28..02-04 (02-03/04 in lieu)

    assert deadline.last_day == D(2025, 2, 5)


def test_deadline_ending_on_plain_weekend_moves_to_monday(cal):
    deadline = cal.deadline(D(2025, 2, 26), 10)  # day 10 = Sat 2025-03-08

    assert deadline.last_day == D(2025, 3, 10)


def test_deadline_on_adjusted_working_saturday_stays(cal):
    deadline = cal.deadline(D(2025, 9, 21), 20)  # day 20 = Sat 2025-10-11, a 调休 working day

    assert deadline.last_day == D(2025, 10, 11)


def test_deadline_on_adjusted_working_sunday_stays(cal):
    assert cal.deadline(D(2025, 9, 8), 20).last_day == D(2025, 9, 28)


def test_working_day_mode_skips_weekends_and_holidays(cal):
    # After Tue 09-30: 10-01..10-08 off, then Thu 10-09 (1), Fri 10-10 (2), adjusted Sat 10-11 (3).
    assert cal.deadline(D(2025, 9, 30), 3, DayMode.WORKING).last_day == D(2025, 10, 11)
    # After Thu 03-06: Fri 03-07 (1), weekend skipped, Mon 03-10 (2), Tue 03-11 (3).
    assert cal.deadline(D(2025, 3, 6), 3, "working").last_day == D(2025, 3, 11)


def test_twenty_day_reply_deadline_fires_on_day_21_not_day_20(cal):
    """集体合同规定 第32条: reply within 20 days; the timer may only fire once day 20 is over."""
    deadline = cal.deadline(D(2025, 3, 4), 20)  # day 20 = Mon 2025-03-24, a working day

    assert deadline.last_day == D(2025, 3, 24)
    assert deadline.due.astimezone(SHANGHAI) == dt.datetime(2025, 3, 25, 0, 0, tzinfo=SHANGHAI)
    assert dt.datetime(2025, 3, 24, 23, 59, 59, tzinfo=SHANGHAI) < deadline.due
    assert deadline.due.utcoffset() == dt.timedelta(0)


def test_start_instant_is_taken_in_enterprise_time_zone(cal):
    start = dt.datetime(2025, 3, 1, 17, 0, tzinfo=dt.UTC)  # 2025-03-02 01:00 in Shanghai

    assert cal.local_date(start) == D(2025, 3, 2)
    assert cal.deadline(start, 10).last_day == D(2025, 3, 12)
    assert cal.deadline("2025-03-01T17:00:00Z", 10) == cal.deadline(D(2025, 3, 2), 10)
    assert cal.deadline("2025-03-01T17:00:00+00:00", 10) == cal.deadline("2025-03-02", 10)


def test_start_in_another_enterprise_time_zone_keeps_its_own_date():
    start = "2025-03-01T17:00:00Z"  # still 2025-03-01 in Urumqi (UTC+6)

    assert LegalCalendar(tz="Asia/Urumqi").local_date(start) == D(2025, 3, 1)


def test_timestamp_without_offset_is_rejected(cal):
    with pytest.raises(ValueError, match="UTC offset"):
        cal.deadline(dt.datetime(2025, 3, 1, 17, 0), 10)
    with pytest.raises(ValueError, match="UTC offset"):
        cal.deadline("2025-03-01T17:00:00", 10)


@pytest.mark.parametrize("days", [0, -1])
def test_period_must_be_at_least_one_day(cal, days):
    with pytest.raises(ValueError, match="at least 1"):
        cal.deadline(D(2025, 3, 3), days)


def test_period_length_must_be_an_integer(cal):
    with pytest.raises(TypeError):
        cal.deadline(D(2025, 3, 3), 2.5)


def test_unknown_day_mode_is_rejected(cal):
    with pytest.raises(ValueError, match="day mode"):
        cal.deadline(D(2025, 3, 3), 10, "business")


def test_unparseable_start_is_rejected(cal):
    with pytest.raises(ValueError, match="ISO 8601"):
        cal.deadline("next Monday", 10)


def test_deadline_in_2027_is_marked_unconfirmed(cal):
    deadline = cal.deadline(D(2026, 12, 20), 20)  # day 20 = Sat 2027-01-09: no official 2027 data

    assert deadline.last_day == D(2027, 1, 11)
    assert not deadline.confirmed
    assert cal.source(D(2027, 1, 9)) is DaySource.RULE


def test_rule_based_2027_new_year_still_moves_the_deadline(cal):
    deadline = cal.deadline(D(2026, 12, 22), 10)  # day 10 = Fri 2027-01-01, holiday by rule; then a weekend

    assert cal.is_holiday(D(2027, 1, 1))
    assert deadline.last_day == D(2027, 1, 4)
    assert not deadline.confirmed


def test_deadline_within_official_years_is_confirmed(cal):
    assert cal.deadline(D(2026, 3, 2), 10).confirmed


def test_official_data_covers_2026_but_not_2027(cal):
    """chinese_calendar 1.11.0 stops at 2026; when an upgrade adds 2027 this test says so."""
    assert cal.is_confirmed(D(2026, 12, 31))
    assert cal.source(D(2026, 12, 31)) is DaySource.OFFICIAL
    assert not cal.is_confirmed(D(2027, 1, 4))


def test_override_makes_2027_date_a_working_day_and_confirmed():
    cal = LegalCalendar(overrides={D(2027, 1, 9): True})  # e.g. an adjusted working Saturday in the notice

    assert cal.is_working_day(D(2027, 1, 9))
    assert cal.is_confirmed(D(2027, 1, 9))
    deadline = cal.deadline(D(2026, 12, 20), 20)
    assert deadline.last_day == D(2027, 1, 9)
    assert deadline.confirmed


def test_override_holiday_wins_over_official_data():
    cal = LegalCalendar(overrides={D(2025, 3, 13): False, D(2025, 10, 8): True})

    assert cal.is_holiday(D(2025, 3, 13))
    assert cal.deadline(D(2025, 3, 3), 10).last_day == D(2025, 3, 14)
    assert cal.is_working_day(D(2025, 10, 8))
    assert cal.source(D(2025, 10, 8)) is DaySource.OVERRIDE


def test_year_declared_complete_uses_only_overrides_and_weekends():
    cal = LegalCalendar(overrides={D(2027, 1, 1): False}, confirmed_years=[2027])

    assert cal.is_holiday(D(2027, 1, 1))
    assert cal.is_working_day(D(2027, 2, 9))  # a rule-based holiday the (hypothetical) notice did not list
    assert not cal.is_working_day(D(2027, 1, 9))  # plain Saturday
    assert cal.deadline(D(2026, 12, 20), 20).confirmed


def test_is_holiday_excludes_plain_weekends(cal):
    assert not cal.is_working_day(D(2025, 3, 8)) and not cal.is_holiday(D(2025, 3, 8))
    assert cal.is_holiday(D(2025, 10, 4))  # Saturday inside the National Day period
    assert cal.is_holiday(D(2025, 10, 7))  # in-lieu day
    assert not cal.is_holiday(D(2025, 10, 11)) and cal.is_working_day(D(2025, 10, 11))


@pytest.mark.parametrize(
    "bad", [{dt.datetime(2027, 1, 9, 0, 0): True}, {D(2027, 1, 9): 1}, {"2027-01-09": True}]
)
def test_overrides_must_map_dates_to_bools(bad):
    with pytest.raises(ValueError, match="override"):
        LegalCalendar(overrides=bad)


def test_unknown_time_zone_is_rejected():
    with pytest.raises(ValueError, match="time zone"):
        LegalCalendar(tz="Asia/Beijing")


def test_deadline_iso_is_utc_with_offset_for_bpmn_time_date(cal):
    deadline = cal.deadline(D(2025, 9, 11), 20)

    assert deadline.iso() == "2025-10-09T16:00:00+00:00"
    assert dt.datetime.fromisoformat(deadline.iso()) == deadline.due
    assert deadline.as_dict() == {
        "due": "2025-10-09T16:00:00+00:00",
        "last_day": "2025-10-09",
        "confirmed": True,
    }


def test_deadline_requires_an_aware_due():
    with pytest.raises(ValueError):
        Deadline(due=dt.datetime(2025, 1, 1), last_day=D(2024, 12, 31), confirmed=True)


def test_month_periods_end_on_the_corresponding_day_or_month_end_art202():
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2028, 3, 31), -1) == D(2028, 2, 29)
    assert add_months(D(2028, 3, 31), -3) == D(2027, 12, 31)  # 续订 window opens 3 months before expiry
    assert add_months(D(2025, 6, 15), 36) == D(2028, 6, 15)


def test_helpers_take_and_return_iso_strings(cal):
    helpers = make_helpers(cal)

    assert helpers["deadline"]("2025-09-11T02:00:00+08:00", 20) == "2025-10-09T16:00:00+00:00"
    assert helpers["deadline"]("2025-09-30", 3, "working") == "2025-10-11T16:00:00+00:00"
    info = helpers["deadline_info"]("2026-12-20", 20)
    assert json.loads(json.dumps(info)) == {
        "due": "2027-01-11T16:00:00+00:00",
        "last_day": "2027-01-11",
        "confirmed": False,
    }
    assert helpers["add_days"]("2025-03-01T17:00:00Z", 1) == "2025-03-03"
    assert helpers["add_months"]("2025-01-31", 1) == "2025-02-28"
    assert helpers["local_date"]("2025-03-01T17:00:00Z") == "2025-03-02"
    assert helpers["is_working_day"]("2025-10-11") is True
    assert helpers["is_holiday"]("2025-10-01") is True
    assert helpers["is_confirmed"]("2027-01-04") is False


def test_helpers_offer_no_clock():
    assert not {"today", "now", "today_local"} & set(make_helpers(LegalCalendar()))


def test_a_period_longer_than_ten_years_is_refused_before_walking_the_calendar():
    cal = LegalCalendar("Asia/Shanghai")
    with pytest.raises(ValueError, match="at most 3660"):
        cal.deadline("2026-01-01", 10**6, "working")
    assert cal.deadline("2026-01-01", 3660).last_day.year == 2036
