"""Chinese numerals for ordinals people write: 第五届, 第十二次, 第二十一条."""

from __future__ import annotations

DIGITS = "零一二三四五六七八九"
UNITS = ((1000, "千"), (100, "百"), (10, "十"))


def chinese(n: int) -> str:
    """``n`` (0..9999) in Chinese numerals: 5 -> 五, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五.

    Raises:
        ValueError: outside 0..9999.
    """
    if not 0 <= n <= 9999:
        raise ValueError(f"{n} is outside 0..9999")
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n - 10] if n > 10 else "")
    out, zero = "", False
    for size, unit in UNITS:
        digit, n = divmod(n, size)
        if digit:
            out += ("零" if zero else "") + DIGITS[digit] + unit
            zero = False
        elif out:
            zero = True
    if n:
        out += ("零" if zero else "") + DIGITS[n]
    return out


def meeting_title(term_number: int, session_number: int) -> str:
    """第五届职工代表大会第二次会议."""
    return f"第{chinese(term_number)}届职工代表大会第{chinese(session_number)}次会议"
