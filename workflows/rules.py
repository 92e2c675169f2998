"""Statutory thresholds and deadlines of democratic management as configuration, with their predicates."""

import copy
import dataclasses
from collections.abc import Callable, Mapping
from enum import StrEnum
from fractions import Fraction
from typing import Any

from workflows.calendar import DayMode

# Sources: 集体合同规定 = 劳动和社会保障部令第22号 (2004); 工资办法 = 工资集体协商试行办法 (2000;
# national article numbers unconfirmed, values seen in a local mirror); 民主管理规定 = 企业民主管理规定
# (总工发〔2012〕12号); 1986 条例 = 全民所有制工业企业职工代表大会条例. Marks V / V~ / U as in rules.md:
# check U rules against an official text before relying on them.


class Majority(StrEnum):
    """Adoption threshold; the base is always ALL seated representatives, not those present."""

    MORE_THAN_HALF = "more_than_half"  # 过半数 (民主管理规定 第20条, V): strictly more than 1/2
    AT_LEAST_HALF = "at_least_half"  # 半数以上 (集体合同规定 第36条, V): 以上 includes half (民法典 1259, U)


def _rule(default: Any, source: str) -> Any:
    return dataclasses.field(default=default, metadata={"source": source})


@dataclasses.dataclass(frozen=True)
class Rules:
    """Every statutory threshold and deadline, with the defaults of rules.md; ``sources()`` cites each one.

    Day counts are counted by ``workflows.calendar.LegalCalendar.deadline`` in ``day_mode``.

    Raises:
        ValueError: On construction, a value of the wrong type or out of range, naming the field.
    """

    reply_to_negotiation_request_days: int = _rule(20, "集体合同规定 第32条 (V); 工资办法 (V, local mirror)")
    fill_representative_vacancy_days: int = _rule(15, "集体合同规定 第31条 (V)")
    wage_info_before_meeting_days: int = _rule(5, "工资办法: data 5 days before negotiating (V, local)")
    dispute_coordination_days: int = _rule(30, "集体合同规定 第52条 (V)")
    dispute_extension_days: int = _rule(15, "集体合同规定 第52条: extension at most 15 days (V)")
    filing_days: int = _rule(10, "集体合同规定 第42条: filed within 10 days of signature (V)")
    wage_filing_days: int = _rule(7, "工资办法: filed within 7 days of signature (V)")
    review_days: int = _rule(15, "集体合同规定 第45/47条; 劳动合同法 第54条: silence = effective (V)")
    publication_days: int = _rule(10, "集体合同规定 第48条 '及时' (V); 10 days in local rules (V~)")
    wage_publication_days: int = _rule(5, "工资办法: published within 5 days of effect (V, local)")
    renewal_notice_months: int = _rule(3, "集体合同规定 第38条: request within 3 months before expiry (V)")
    wage_renewal_notice_days: int = _rule(60, "工资办法: next 意向书 within 60 days before expiry (V)")
    disclosure_feedback_days: int = _rule(7, "厂务公开 practice: feedback window (U)")
    resolution_publication_days: int = _rule(7, "congress practice: resolutions published (U)")
    congress_quorum: Fraction = _rule(
        Fraction(2, 3), "1986 条例 第18条 (V); 民主管理规定 (U); 集体合同规定 第36条 (V): 三分之二以上"
    )
    adoption_rule: Majority = _rule(
        Majority.MORE_THAN_HALF, "民主管理规定 第20条 过半数 (V) vs 集体合同规定 第36条 半数以上 (V)"
    )
    contract_adoption_rule: Majority = _rule(
        Majority.AT_LEAST_HALF,
        "集体合同规定 第36条: 全体职工代表半数以上同意 (V); more_than_half for the stricter 过半数",
    )
    # The members' congresses path of a regional or industry contract (区域性、行业性集体合同, 劳动合同法 第53条): the
    # sources are silent on how the members' own congresses adopt it (rules.md §2.1 names only 区域/行业职代会 for
    # small enterprises; 集体合同规定 第36条 governs one congress). Cautious reading: every bound member's congress
    # adopts the draft by 第36条 (two thirds present, the contract adoption majority of all its representatives);
    # a smaller share may be set locally; a rejection that makes the share unreachable sends it back to negotiation.
    regional_members_adoption_share: Fraction = _rule(
        Fraction(1, 1), "sources silent (rules.md §2.1; 集体合同规定 第36条 per member congress): cautious reading, "
                        "every bound member's congress adopts the draft")
    extraordinary_session_share: Fraction = _rule(Fraction(1, 3), "1986 条例 第18条 (V); 2012 (U)")
    presidium_min_frontline_share: Fraction = _rule(
        Fraction(1, 2), "民主管理规定 第19条: workers, technicians, managers >= 50% (V)"
    )
    session_interval_months: int = _rule(
        12, "rules.md §2.2: 民主管理规定 每年至少召开一次 (U); 1986 条例 第18条 至少每半年召开一次 (V): set 6 for the "
            "half-yearly rule; the union is reminded when no session was held within it")
    min_representatives: int = _rule(30, "民主管理规定 ~第25条 (U)")
    representative_share_of_headcount: Fraction = _rule(Fraction(5, 100), "民主管理规定 ~第25条 (U)")
    max_manager_share: Fraction = _rule(Fraction(20, 100), "民主管理规定 ~第26条 (U; V~ provincial)")
    proposal_cosigners_min: int = _rule(2, "提案工作制度 practice (V as practice)")
    inspection_notice_days: int = _rule(10, "rules.md §2.5: 巡视 notice to the inspected unit, e.g. 10 days ahead "
                                            "(V as practice)")
    inspection_answer_days: int = _rule(30, "rules.md §2.5: the unit's written rectification plan; period by "
                                            "practice (U)")
    inspections_per_year: int = _rule(1, "rules.md §2.5: 巡视 at least once a year (V as practice; some twice)")
    negotiators_min_per_side: int = _rule(3, "集体合同规定 第19条: equal, at least 3 per side (V)")
    outside_experts_max_share: Fraction = _rule(Fraction(1, 3), "集体合同规定 第23条 (V)")
    contract_term_years: tuple[int, int] = _rule((1, 3), "集体合同规定 第38条: 一般为1至3年 (V)")
    congress_term_years: tuple[int, int] = _rule((3, 5), "民主管理规定: 职代会每届任期3至5年 (U; practice V~)")
    proxies_allowed: bool = _rule(False, "practice: one ballot per representative, no proxies unless the "
                                         "congress's own rules allow them (issue 4)")
    mediation_days: int = _rule(15, "劳动争议调解仲裁法 第14条: 自收到调解申请之日起十五日内 (U: not in rules.md)")
    hardship_publicity_days: int = _rule(5, "困难职工帮扶 practice: 名单公示不少于5日 (practice, U)")
    hardship_review_months: int = _rule(12, "困难职工帮扶 practice: 档案每年复核 (practice, U)")
    appraisal_dissatisfied_share: Fraction = _rule(
        Fraction(1, 3), "民主评议 practice: 不满意票超过三分之一的须整改/约谈 (practice, U)")
    home_excellent_share: Fraction = _rule(
        Fraction(90, 100), "职工之家 assessment practice: 90% of the points for 先进职工之家 (practice, U)")
    home_pass_share: Fraction = _rule(
        Fraction(60, 100), "职工之家 assessment practice: 60% of the points for 合格 (practice, U)")
    women_negotiator_required: bool = _rule(
        True, "local rules (e.g. 上海市集体合同条例): the worker side of a women workers' special contract includes "
              "a woman from the union's women workers' committee; off where the province does not require it")
    election_competitive_min_extra: int = _rule(
        1, "差额选举: more candidates than seats; the congress's 选举办法 sets the margin (practice; e.g. 工会基层组织"
           "选举工作条例 第十六条 差额率不低于5%, U). At least this many candidates more than seats on each post")
    election_write_in_allowed: bool = _rule(
        True, "选举办法 practice: a voter may write in another person (另选他人) unless the congress's rules forbid it "
              "(practice, U)")
    scrutineers_min: int = _rule(
        3, "选举办法 practice: 总监票人1人、监票人若干人, chosen among representatives who are not candidates and "
           "approved by the congress (practice, U; 民主管理规定 第20条 for the approval)")
    day_mode: DayMode = _rule(DayMode.CALENDAR, "rules.md §0.4: 日 nationally, 工作日 in some local rules")

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, _coerce(f.name, type(f.default), getattr(self, f.name)))
        lo, hi = self.contract_term_years
        if not 1 <= lo <= hi:
            raise ValueError(f"rule 'contract_term_years': need 1 <= min <= max, got {lo}..{hi}")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], *, prefix: str = "RULE_") -> "Rules":
        """Build rules from flat overrides, e.g. ``{"RULE_FILING_DAYS": 15, "congress_quorum": "3/4"}``.

        Keys are field names, case-insensitive, with or without ``prefix``. Strings are accepted for every
        field (environment values): ``"15"``, ``"2/3"`` or ``"0.2"``, ``"1-3"``, ``"at_least_half"``.

        Raises:
            ValueError: An unknown key, a key given twice, or an invalid value; the message names the key.
        """
        names = {f.name for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for key, value in mapping.items():
            name = key.lower()
            if name.startswith(prefix.lower()):
                name = name[len(prefix) :]
            if name not in names:
                raise ValueError(f"unknown rule {key!r}")
            if name in values:
                raise ValueError(f"rule {key!r} given twice")
            values[name] = value
        return cls(**values)

    @classmethod
    def from_config(cls, config: Mapping[str, Any], prefix: str = "RULE_") -> "Rules":
        """Build rules from the keys of an application config that start with ``prefix``; ignore the rest."""
        return cls.from_mapping({k: v for k, v in config.items() if k.startswith(prefix)}, prefix=prefix)

    @classmethod
    def sources(cls) -> dict[str, str]:
        """Return each rule's legal source, by field name."""
        return {f.name: f.metadata["source"] for f in dataclasses.fields(cls)}

    def as_dict(self) -> dict[str, Any]:
        """Return JSON-friendly values (fractions as ``"2/3"``); ``from_mapping`` accepts them back."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = str(value) if isinstance(value, Fraction | StrEnum) else value
        out["contract_term_years"] = list(self.contract_term_years)
        return out


def _int(value: Any, minimum: int) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"expected an integer >= {minimum}")
    return value


def _coerce(name: str, kind: type, value: Any) -> Any:
    given = value
    try:
        if kind is int:
            return _int(value, 0 if name == "proposal_cosigners_min" else 1)  # a rep may submit alone
        if kind is Fraction:
            if isinstance(value, float):
                value = str(value)  # 0.2 -> 1/5, not the binary float's 3602879701896397/18014398509481984
            if isinstance(value, bool) or not isinstance(value, Fraction | int | str):
                raise ValueError("expected a fraction such as '2/3'")
            value = Fraction(value)
            if not 0 < value <= 1:
                raise ValueError("expected a fraction in (0, 1]")
            return value
        if kind is bool:
            words = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False,
                     "off": False}
            if isinstance(value, str) and value.strip().lower() in words:
                return words[value.strip().lower()]
            if not isinstance(value, bool):
                raise ValueError("expected true or false")
            return value
        if kind is tuple:
            if isinstance(value, str):
                value = value.replace(",", "-").split("-")
            lo, hi = (_int(v, 1) for v in value)
            return (lo, hi)
        return kind(value)  # StrEnum: raises ValueError for an unknown member
    except (ValueError, TypeError, ZeroDivisionError) as exc:
        raise ValueError(f"rule {name!r}: invalid value {given!r} ({exc})") from exc


def _counts(**counts: int) -> None:
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")


def _part_of(part: int, whole: int, part_name: str, whole_name: str) -> None:
    _counts(**{part_name: part, whole_name: whole})
    if whole == 0:
        raise ValueError(f"{whole_name} must be at least 1")
    if part > whole:
        raise ValueError(f"{part_name} ({part}) exceeds {whole_name} ({whole})")


def _ceil(n: int, share: Fraction) -> int:
    return -(-n * share.numerator // share.denominator)


def quorum_required(seated: int, rules: Rules) -> int:
    """Return the fewest representatives present for a valid session: ceil(2/3 x seated).

    Sources: 1986 条例 第18条 (V), 民主管理规定 (U), 集体合同规定 第36条 (V): "三分之二以上" includes 2/3.
    """
    _part_of(0, seated, "present", "seated")
    return _ceil(seated, rules.congress_quorum)


def quorum_met(present: int, seated: int, rules: Rules) -> bool:
    """Return True if at least ``congress_quorum`` of all seated representatives are present (exact).

    Raises:
        ValueError: Negative counts, no seated representatives, or more present than seated.
    """
    _part_of(present, seated, "present", "seated")
    q = rules.congress_quorum
    return present * q.denominator >= seated * q.numerator


def votes_required(seated: int, rules: Rules) -> int:
    """Return the fewest votes in favour that adopt an item, counted against all seated representatives.

    Sources: 民主管理规定 第20条 "经全体职工代表的过半数通过" (V); 集体合同规定 第36条
    "全体职工代表半数以上" (V).
    """
    _part_of(0, seated, "in_favour", "seated")
    if rules.adoption_rule is Majority.MORE_THAN_HALF:
        return seated // 2 + 1
    return _ceil(seated, Fraction(1, 2))


def adopted(in_favour: int, seated: int, rules: Rules) -> bool:
    """Return True if ``in_favour`` adopts an item; the base is all seated representatives (第20条, V).

    ``more_than_half``: in_favour x 2 > seated; ``at_least_half``: in_favour x 2 >= seated.

    Raises:
        ValueError: Negative counts, no seated representatives, or more votes than seats.
    """
    _part_of(in_favour, seated, "in_favour", "seated")
    if rules.adoption_rule is Majority.MORE_THAN_HALF:
        return in_favour * 2 > seated
    return in_favour * 2 >= seated


def min_representatives(headcount: int, rules: Rules) -> int:
    """Return the minimum congress size: max(30, ceil(5% of headcount)), capped at the headcount.

    Source: 民主管理规定 ~第25条 (U). An enterprise of 30 workers or fewer cannot seat 30 representatives:
    the result is then the whole headcount, i.e. every worker sits, which is the 职工大会 form that small
    enterprises may use instead of a congress (rules.md §2.1, U); see ``all_workers_are_representatives``.

    Raises:
        ValueError: headcount below 1.
    """
    _part_of(0, headcount, "representatives", "headcount")
    needed = max(rules.min_representatives, _ceil(headcount, rules.representative_share_of_headcount))
    return min(headcount, needed)


def all_workers_are_representatives(headcount: int, rules: Rules) -> bool:
    """Return True if the minimum congress is the whole workforce (a 职工大会, rules.md §2.1, U)."""
    return min_representatives(headcount, rules) == headcount


def max_managers(seats: int, rules: Rules) -> int:
    """Return the most seats 中层以上管理人员和领导人员 may hold: floor(20% of seats) (~第26条, U)."""
    _part_of(0, seats, "managers", "seats")
    share = rules.max_manager_share
    return seats * share.numerator // share.denominator


def managers_within_cap(managers: int, seats: int, rules: Rules) -> bool:
    """Return True if managers hold at most ``max_manager_share`` of the seats (民主管理规定 ~第26条, U)."""
    _part_of(managers, seats, "managers", "seats")
    return managers <= max_managers(seats, rules)


def presidium_composition_valid(frontline: int, members: int, rules: Rules) -> bool:
    """Return True if workers, technicians and managers are >= 50% of the 主席团 (民主管理规定 第19条, V)."""
    _part_of(frontline, members, "frontline", "members")
    share = rules.presidium_min_frontline_share
    return frontline * share.denominator >= members * share.numerator


def extraordinary_session_supported(supporters: int, seated: int, rules: Rules) -> bool:
    """Return True if >= 1/3 of representatives ask for an extraordinary session (1986 条例 第18条, V)."""
    _part_of(supporters, seated, "supporters", "seated")
    share = rules.extraordinary_session_share
    return supporters * share.denominator >= seated * share.numerator


def negotiating_sides_valid(worker_side: int, employer_side: int, rules: Rules) -> bool:
    """Return True if both sides are equal and have at least 3 representatives (集体合同规定 第19条, V)."""
    _counts(worker_side=worker_side, employer_side=employer_side)
    return worker_side == employer_side >= rules.negotiators_min_per_side


def outside_experts_within_cap(outsiders: int, side_size: int, rules: Rules) -> bool:
    """Return True if outside experts are at most 1/3 of their own side (集体合同规定 第23条, V).

    The chief representative may never be an outsider (also 第23条); that is checked on the roster.
    """
    _part_of(outsiders, side_size, "outsiders", "side_size")
    share = rules.outside_experts_max_share
    return outsiders * share.denominator <= side_size * share.numerator


def contract_term_valid(years: int, rules: Rules) -> bool:
    """Return True if a collective contract's term is within 1-3 years (集体合同规定 第38条, V)."""
    _counts(years=years)
    lo, hi = rules.contract_term_years
    return lo <= years <= hi


def competitive_margin_met(candidates: int, seats: int, rules: Rules) -> bool:
    """Return True if a 差额 post has at least ``election_competitive_min_extra`` more candidates than seats."""
    _counts(candidates=candidates, seats=seats)
    return candidates >= seats + rules.election_competitive_min_extra


def proposal_cosigned(cosigners: int, rules: Rules) -> bool:
    """Return True if a 提案 has enough 附议人 (the congress's 提案工作制度; practice, rules.md §2.4)."""
    _counts(cosigners=cosigners)
    return cosigners >= rules.proposal_cosigners_min


def members_adopted(adopting: int, bound: int, rules: Rules) -> bool:
    """Return True if enough bound members' congresses adopted a regional or industry contract's draft (the rule
    ``regional_members_adoption_share``: all of them by default, a cautious reading where the sources are silent).

    Raises:
        ValueError: Negative counts, no bound member, or more adopting than bound.
    """
    _part_of(adopting, bound, "adopting", "bound")
    share = rules.regional_members_adoption_share
    return adopting * share.denominator >= bound * share.numerator


def members_rejected(rejecting: int, bound: int, rules: Rules) -> bool:
    """Return True if so many members' congresses rejected the draft that the share can no longer be reached (with
    the default share, one rejection): the draft goes back to negotiation."""
    _part_of(rejecting, bound, "rejecting", "bound")
    return not members_adopted(bound - rejecting, bound, rules)


_PREDICATES: tuple[Callable[..., Any], ...] = (
    quorum_required,
    quorum_met,
    votes_required,
    adopted,
    min_representatives,
    all_workers_are_representatives,
    max_managers,
    managers_within_cap,
    presidium_composition_valid,
    extraordinary_session_supported,
    negotiating_sides_valid,
    outside_experts_within_cap,
    contract_term_valid,
    proposal_cosigned,
    competitive_margin_met,
    members_adopted,
    members_rejected,
)


def make_helpers(rules: Rules | Callable[[], Rules]) -> dict[str, Callable[..., Any]]:
    """Return pure helpers for BPMN scripts and conditions, bound to ``rules`` (or to the rules a callable returns
    at each call: the rules in force for the current organisation).

    Each predicate above is exposed under its own name without the ``rules`` argument
    (``adopted(in_favour, seated)``), plus ``rule(name)``, which returns one rule's JSON value
    (``rule("filing_days")`` -> 10) for use with the calendar's ``deadline`` helper.
    """
    in_force: Callable[[], Rules] = rules if callable(rules) else (lambda: rules)
    as_dicts: dict[int, tuple[Rules, dict[str, Any]]] = {}

    def values_of(current: Rules) -> dict[str, Any]:
        found = as_dicts.get(id(current))
        if found is None or found[0] is not current:
            found = as_dicts[id(current)] = (current, current.as_dict())
        return found[1]

    def bind(fn: Callable[..., Any]) -> Callable[..., Any]:
        def helper(*args: int) -> Any:
            return fn(*args, in_force())

        helper.__name__ = fn.__name__
        helper.__doc__ = fn.__doc__
        return helper

    def rule(name: str) -> Any:
        values = values_of(in_force())
        if name not in values:
            raise ValueError(f"unknown rule {name!r}")
        return copy.deepcopy(values[name])  # diagram code must not change the value for later calls

    return {fn.__name__: bind(fn) for fn in _PREDICATES} | {"rule": rule}
