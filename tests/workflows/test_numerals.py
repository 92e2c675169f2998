"""Chinese ordinals written the way people write them (第五届第二次), in titles, notices and pages."""

from __future__ import annotations

import pytest

from workflows.numerals import chinese, meeting_title


@pytest.mark.parametrize(("n", "text"), [(0, "零"), (5, "五"), (10, "十"), (12, "十二"), (20, "二十"),
                                         (21, "二十一"), (100, "一百"), (105, "一百零五"), (110, "一百一十"),
                                         (1001, "一千零一"), (2026, "二千零二十六")])
def test_numbers_in_chinese(n, text):
    assert chinese(n) == text


def test_a_meeting_title_uses_chinese_ordinals():
    assert meeting_title(5, 2) == "第五届职工代表大会第二次会议"
    with pytest.raises(ValueError):
        chinese(10000)
