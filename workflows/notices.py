"""Publication notices of congress votes: escaped HTML and a Chinese PDF, each with its SHA-256."""

from __future__ import annotations

import functools
import hashlib
import html
import io
import logging
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from markupsafe import Markup

from workflows.calendar import ZONE_NAMES, zone_name  # noqa: F401  (re-exported: notices name the zone)
from workflows.numerals import chinese

TEMPLATES = Path(__file__).parent / "templates"
LANGS = ("zh-CN", "en")
# The first family that fontconfig finds is used; the PDF is refused if neither was (tofu boxes otherwise).
CJK_FAMILIES = ("Noto Sans CJK SC", "WenQuanYi Micro Hei")
FONT_PACKAGES = "fonts-noto-cjk (or fonts-wqy-microhei)"
_HASH = re.compile(r"[0-9a-f]{64}")
_COUNTS = ("seated", "present", "ballots_issued", "valid", "for", "against", "abstain",
           "quorum_required", "votes_required")
_LOG = logging.getLogger(__name__)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")

# Wording of the adoption rules (workflows.rules.Majority values; "_of_all_seated" is accepted too).
RULE_TEXT: dict[str, dict[str, str]] = {
    "more_than_half": {
        "zh-CN": "赞成票超过全体职工代表半数（过半数）",
        "en": "more than half of all seated representatives in favour",
    },
    "at_least_half": {
        "zh-CN": "赞成票达到全体职工代表半数以上（含半数）",
        "en": "at least half of all seated representatives in favour",
    },
}

TEXT: dict[str, dict[str, str]] = {
    "zh-CN": {
        "heading_adopted": "职工代表大会决议公告", "heading_rejected": "职工代表大会表决结果公告",
        "reference": "文号", "matter": "表决事项",
        "intro": "{meeting}对《{title}》进行了{mode}表决，现将结果公告如下。",
        "secret": "无记名投票", "named": "记名投票", "tally": "表决情况",
        "seated": "全体职工代表（应到）", "present": "出席代表（实到）", "quorum_required": "法定出席人数",
        "ballots_issued": "发出表决票", "valid": "有效票", "invalid": "无效票",
        "for": "赞成", "against": "反对", "abstain": "弃权", "votes_required": "通过所需赞成票",
        "mode": "表决方式", "rule": "表决规则", "outcome": "表决结果",
        "adopted": "通过", "rejected": "未通过", "people": "人", "votes": "票",
        "conclusion_adopted": "赞成 {for_} 票，达到通过所需的 {needed} 票，《{title}》获得通过。",
        "conclusion_rejected": "赞成 {for_} 票，未达到通过所需的 {needed} 票，《{title}》未获通过。",
        "no_quorum": "出席代表 {present} 人，不足法定出席人数 {quorum} 人，表决无效，《{title}》未获通过。",
        "chart": "表决结果图", "threshold": "通过所需 {n} 票",
        "period": "公告期", "period_text": "自公布之日起 {days} 日",
        "until": "（至 {date}）", "published": "公布时间", "closing": "特此公告。",
        "verify": "核验信息", "audit_hash": "审计链哈希（本事项最新审计事件）",
        "verify_note": "核对方法：扫描右侧二维码或抄录上面的哈希值，在 dmflow 中打开本事项的案件历史（或由审计员运行"
                       " dmflow audit verify 核验整条审计链），确认该哈希值是本事项的审计事件之一；"
                       "哈希值不符或查无此值，说明本公告与系统记录不一致。",
        "colon": "：", "stop": "。", "adopted_text": "决议全文", "seal": "（盖章）",
        "checkpoint": "最近一次签名审计检查点（编号与指纹）",
    },
    "en": {
        "heading_adopted": "Resolution of the Workers' Congress",
        "heading_rejected": "Vote Result of the Workers' Congress",
        "reference": "Reference", "matter": "Matter",
        "intro": "{meeting} voted on '{title}' by {mode}. The result is published as follows.",
        "secret": "secret ballot", "named": "named vote", "tally": "Tally",
        "seated": "Seated representatives", "present": "Present", "quorum_required": "Quorum",
        "ballots_issued": "Ballots issued", "valid": "Valid ballots", "invalid": "Invalid ballots",
        "for": "For", "against": "Against", "abstain": "Abstain", "votes_required": "Votes needed to adopt",
        "mode": "Voting method", "rule": "Rule applied", "outcome": "Outcome",
        "adopted": "Adopted", "rejected": "Rejected", "people": "", "votes": "",
        "conclusion_adopted": "{for_} votes in favour reach the {needed} needed: '{title}' is adopted.",
        "conclusion_rejected": "{for_} votes in favour fall short of the {needed} needed: "
                               "'{title}' is not adopted.",
        "no_quorum": "{present} representatives present, fewer than the quorum of {quorum}: the vote is void "
                     "and '{title}' is not adopted.",
        "chart": "Vote result chart", "threshold": "{n} needed",
        "period": "Publication period", "period_text": "{days} days from publication",
        "until": " (until {date})", "published": "Published", "closing": "",
        "verify": "Verification", "audit_hash": "Audit-trail hash (latest audit event of this matter)",
        "verify_note": "How to check: scan the QR code or copy the hash above, open this matter's case history in "
                       "dmflow (or have an auditor run dmflow audit verify over the whole trail) and confirm the hash "
                       "is one of its audit events; a hash that differs or is not found means this notice does not "
                       "match the record.",
        "colon": ": ", "stop": ".", "adopted_text": "Full text of the resolution", "seal": "(seal)",
        "checkpoint": "Latest signed audit checkpoint (number and fingerprint)",
    },
}


class NoticeUnavailable(RuntimeError):
    """The PDF cannot be produced on this machine (WeasyPrint, its libraries or a CJK font is missing)."""


@dataclass(frozen=True)
class Notice:
    """A rendered notice; `sha256` (of the PDF) goes into the audit trail, `html_sha256` is the HTML's."""

    html: str
    pdf: bytes
    sha256: str
    html_sha256: str


def _count(vote: Mapping[str, Any], name: str) -> int:
    value = vote.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"vote.{name} must be a non-negative integer, got {value!r}")
    return value


def _check_vote(vote: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(vote, Mapping):
        raise ValueError("vote must be a mapping with the tally")
    counts = {name: _count(vote, name) for name in _COUNTS}
    order = [("present", "seated"), ("ballots_issued", "present"), ("valid", "ballots_issued"),
             ("quorum_required", "seated"), ("votes_required", "seated")]
    for part, whole in order:
        if counts[part] > counts[whole]:
            raise ValueError(f"vote.{part} ({counts[part]}) exceeds vote.{whole} ({counts[whole]})")
    cast = counts["for"] + counts["against"] + counts["abstain"]
    if cast > counts["valid"]:
        raise ValueError(f"for + against + abstain ({cast}) exceeds vote.valid ({counts['valid']})")
    rule = str(vote.get("rule", "")).removesuffix("_of_all_seated")
    if rule not in RULE_TEXT:
        raise ValueError(f"vote.rule {vote.get('rule')!r} is unknown; use one of {sorted(RULE_TEXT)}")
    outcome = vote.get("outcome")
    if outcome not in ("adopted", "rejected"):
        raise ValueError(f"vote.outcome must be 'adopted' or 'rejected', got {outcome!r}")
    quorate = counts["present"] >= counts["quorum_required"]
    passes = quorate and counts["for"] >= counts["votes_required"]
    if passes != (outcome == "adopted"):
        raise ValueError(f"vote.outcome {outcome!r} contradicts the tally: {counts['for']} for, "
                         f"{counts['votes_required']} needed, {counts['present']} present of "
                         f"{counts['quorum_required']} required")
    if not isinstance(vote.get("secret"), bool):
        raise ValueError(f"vote.secret must be true or false, got {vote.get('secret')!r}")
    # Invalid ballots are those returned but not valid (workflows.congress.tally.result_of); an issued ballot that
    # was never returned is not an invalid one. Without ballots_cast (older callers) fall back to issued.
    cast = vote.get("ballots_cast")
    returned = cast if isinstance(cast, int) and not isinstance(cast, bool) else counts["ballots_issued"]
    if not counts["valid"] <= returned <= counts["ballots_issued"]:
        raise ValueError(f"vote.ballots_cast ({returned}) must lie between valid and ballots_issued")
    return counts | {"rule": rule, "outcome": outcome, "secret": vote["secret"], "quorate": quorate,
                     "invalid": returned - counts["valid"]}


def _text(notice: Mapping[str, Any], name: str, *, required: bool = True) -> str:
    value = notice.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValueError(f"notice.{name} must be a non-empty string, got {value!r}")
    return value.strip()


def _local_date(value: date, lang: str) -> str:
    if lang == "zh-CN":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def chinese_date(value: date) -> str:
    """A date as official documents write it: 二〇二六年十二月五日 (the year digit by digit)."""
    year = "".join("〇一二三四五六七八九"[int(d)] for d in str(value.year))
    return f"{year}年{chinese(value.month)}月{chinese(value.day)}日"


def reference_number(pattern: str, *, org_short: str, year: int, seq: int) -> str:
    """A document number (文号) from a pattern such as ``{org_short}职代〔{year}〕{seq}号``.

    Raises:
        ValueError: the pattern names a field other than org_short, year and seq.
    """
    try:
        return pattern.format(org_short=org_short, year=year, seq=seq)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"the document number pattern {pattern!r} may use only {{org_short}}, {{year}} and "
                         f"{{seq}} ({exc})") from exc


def short_name(organisation: str) -> str:
    """An organisation's short name for document numbers: its name without the company-form suffix, at most
    four characters (华东机械制造有限公司 -> 华东机械)."""
    for suffix in ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司", "集团"):
        if organisation.endswith(suffix):
            organisation = organisation[: -len(suffix)]
            break
    return organisation[:4]


def _moment(value: datetime, lang: str, zone: ZoneInfo) -> str:
    local = value.astimezone(zone)
    if lang == "zh-CN":
        return f"{_local_date(local.date(), lang)} {local:%H:%M}（{zone_name(zone.key, lang)}）"
    return f"{_local_date(local.date(), lang)}, {local:%H:%M} ({zone_name(zone.key, lang)})"


def vote_chart_svg(bars: list[tuple[str, int, str]], *, scale: int, threshold: int | None = None,
                   threshold_label: str = "", title: str = "") -> str:
    """Return a horizontal bar chart as inline SVG (text kept as text, in the CJK font stack).

    Args:
        bars: (label, count, colour) per bar, top to bottom; counts are drawn against ``scale``.
        scale: the count that spans the full bar width (the base of the adoption rule: all seated).
        threshold: a count to mark with a dashed line (votes needed to adopt), or None.
        threshold_label, title: text for the threshold mark and the chart's accessible title.

    Raises:
        ValueError: ``scale`` below 1.
    """
    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    esc = functools.partial(html.escape, quote=True)
    left, width, row, top = 64, 330, 34, 22
    height = top + row * len(bars) + 8
    fonts = "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="480" height="{height}" '
             f'viewBox="0 0 480 {height}" role="img" aria-label="{esc(title)}" font-family="{esc(fonts)}" '
             f'font-size="13">', f"<title>{esc(title)}</title>",
             f'<line x1="{left}" y1="{top - 4}" x2="{left}" y2="{height - 6}" stroke="#444"/>']
    for i, (label, count, colour) in enumerate(bars):
        y = top + i * row
        length = round(width * min(count, scale) / scale, 1)
        parts += [f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" fill="#111">{esc(label)}</text>',
                  f'<rect x="{left}" y="{y + 4}" width="{length}" height="18" fill="{esc(colour)}"/>',
                  f'<text x="{left + length + 6}" y="{y + 17}" fill="#111">{count}</text>']
    if threshold is not None:
        x = round(left + width * min(threshold, scale) / scale, 1)
        parts += [f'<line x1="{x}" y1="{top - 4}" x2="{x}" y2="{height - 6}" stroke="#1a237e" '
                  'stroke-width="1.2" stroke-dasharray="4 3"/>',
                  f'<text x="{x}" y="{top - 8}" text-anchor="middle" fill="#1a237e" font-size="11">'
                  f"{esc(threshold_label)}</text>"]
    parts.append("</svg>")
    return "".join(parts)


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def _context(notice: Mapping[str, Any], lang: str, tz: str) -> dict[str, Any]:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {tz!r}") from exc
    published = notice.get("published_at")
    if not isinstance(published, datetime) or published.utcoffset() is None:
        raise ValueError(f"notice.published_at must be an aware datetime, got {published!r}")
    period = notice.get("period")
    if isinstance(period, bool) or not isinstance(period, int) or period < 1:
        raise ValueError(f"notice.period must be a positive number of days, got {period!r}")
    audit_hash = _text(notice, "audit_hash").lower()
    if not _HASH.fullmatch(audit_hash):
        raise ValueError(f"notice.audit_hash must be a SHA-256 hex digest, got {notice.get('audit_hash')!r}")
    until = notice.get("period_until")
    if isinstance(until, str):
        until = date.fromisoformat(until[:10])
    if until is not None and not isinstance(until, date):
        raise ValueError(f"notice.period_until must be a date or ISO date, got {until!r}")
    vote, t = _check_vote(notice.get("vote")), TEXT[lang]
    title, meeting = _text(notice, "title"), _text(notice, "meeting")
    outcome_key = "heading_adopted" if vote["outcome"] == "adopted" else "heading_rejected"
    if not vote["quorate"]:
        conclusion = t["no_quorum"].format(present=vote["present"], quorum=vote["quorum_required"],
                                           title=title)
    else:
        conclusion = t["conclusion_" + vote["outcome"]].format(
            for_=vote["for"], needed=vote["votes_required"], title=title)
    chart = vote_chart_svg(
        [(t["for"], vote["for"], "#2e7d32"), (t["against"], vote["against"], "#c62828"),
         (t["abstain"], vote["abstain"], "#9e9e9e")],
        scale=vote["seated"], threshold=vote["votes_required"],
        threshold_label=t["threshold"].format(n=vote["votes_required"]), title=t["chart"])
    local = published.astimezone(zone)
    return {
        "lang": lang, "t": t, "heading": t[outcome_key], "vote": vote, "title": title, "meeting": meeting,
        "organisation": _text(notice, "organisation"),
        "reference": _text(notice, "reference", required=False),
        "issuer": _text(notice, "issuer", required=False) or _text(notice, "organisation"),
        "intro": t["intro"].format(meeting=meeting, title=title,
                                   mode=t["secret" if vote["secret"] else "named"]),
        "rule_text": RULE_TEXT[vote["rule"]][lang], "conclusion": conclusion,
        "paragraphs": [p.strip() for p in _text(notice, "text", required=False).split("\n") if p.strip()],
        "published": _moment(published, lang, zone),
        "signature_date": chinese_date(local.date()) if lang == "zh-CN" else _local_date(local.date(), lang),
        "created_iso": local.isoformat(timespec="seconds"),
        "period_text": t["period_text"].format(days=period),
        "until": t["until"].format(date=_local_date(until, lang)) if until else "",
        "audit_hash": audit_hash, "chart": Markup(chart),
        "checkpoint": _text(notice, "checkpoint", required=False),
        "qr": Markup(_qr_svg(audit_hash, _text(notice, "checkpoint", required=False))),
    }


def _qr_svg(audit_hash: str, checkpoint: str | None) -> str:
    """A QR code of what a reader checks the paper against: the audit hash and the checkpoint's fingerprint
    (``dmflow-verify:<hash>[:<checkpoint>]``), as inline SVG (no file, no network; WeasyPrint draws it)."""
    import segno

    text = f"dmflow-verify:{audit_hash}" + (f":{checkpoint}" if checkpoint else "")
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=2, border=2, xmldecl=False, svgns=True)
    return out.getvalue().decode("ascii")


def render_notice_html(notice: Mapping[str, Any], *, lang: str = "zh-CN", tz: str = "Asia/Shanghai") -> str:
    """Render a notice as a standalone HTML page; every value from ``notice`` is escaped.

    Args:
        notice: ``organisation``, ``meeting`` (第N届职工代表大会第M次会议), ``title`` (the matter), ``vote``
            (seated, present, ballots_issued, valid, for, against, abstain, rule, quorum_required,
            votes_required, outcome "adopted"/"rejected", secret), ``published_at`` (aware datetime),
            ``period`` (publication days), ``audit_hash`` (SHA-256 hex of the instance's latest audit
            event); optional ``text`` (free text, one paragraph per line), ``reference`` (文号),
            ``checkpoint`` (the latest signed audit checkpoint's number and fingerprint),
            ``issuer`` (signature line; the organisation by default), ``period_until`` (date).
        lang: "zh-CN" or "en".
        tz: time zone in which ``published_at`` is shown.

    Raises:
        ValueError: a missing or inconsistent field (named in the message), an unknown lang or time zone.
    """
    return _environment().get_template("notice.html").render(_context(notice, lang, tz))


def _refuse_urls(url: str, *args: Any, **kwargs: Any) -> Any:
    # A notice is self-contained: nothing it shows may come from a file or the network.
    raise ValueError(f"notices load no external resources (asked for {url!r})")


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise NoticeUnavailable(
            "PDF notices need WeasyPrint and its Pango/HarfBuzz libraries: pip install weasyprint; "
            f"apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 ({exc})") from exc
    try:
        from weasyprint.text.ffi import harfbuzz_subset
    except ImportError:  # layout of a different WeasyPrint version: only the speed/determinism note is lost
        harfbuzz_subset = True
    if not harfbuzz_subset:
        _LOG.warning("libharfbuzz-subset0 is missing: WeasyPrint falls back to fontTools, which is ~30x "
                     "slower and stamps the current time into each font, so a notice's PDF hash changes")
    return weasyprint


@functools.cache
def _font_config() -> Any:
    # One font configuration per process: fontconfig scans and the CJK fonts' loading are paid once, not per PDF.
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


_RENDERING = threading.Lock()  # the shared font configuration is not known to be thread-safe


def render_pdf(page: str) -> bytes:
    """Render notice HTML to PDF bytes with WeasyPrint (imported here: it is slow to import), one at a time per
    process, with the process's font configuration.

    Raises:
        NoticeUnavailable: WeasyPrint or its libraries are missing, or no CJK font was found.
    """
    weasyprint = _weasyprint()
    with _RENDERING:
        document = weasyprint.HTML(string=page, url_fetcher=_refuse_urls).render(font_config=_font_config())
        pdf = document.write_pdf()
    families = {font.family for font in document.fonts.values()}
    if not any(family.startswith(CJK_FAMILIES) for family in families):
        raise NoticeUnavailable(f"no CJK font ({' / '.join(CJK_FAMILIES)}) was found, so Chinese would print "
                                f"as empty boxes; install {FONT_PACKAGES} (fonts used: {sorted(families)})")
    return pdf


def render_notice(notice: Mapping[str, Any], *, lang: str = "zh-CN", tz: str = "Asia/Shanghai") -> Notice:
    """Render a publication notice as HTML and as an A4 PDF with "第 N 页" footers.

    The same input gives the same bytes (no clock is read: the PDF's date is ``published_at``), so
    ``sha256`` can be recorded in the audit trail and recomputed later.

    Raises:
        ValueError: see ``render_notice_html``.
        NoticeUnavailable: the PDF cannot be produced here (message says what to install).
    """
    page = render_notice_html(notice, lang=lang, tz=tz)
    pdf = render_pdf(page)
    return Notice(html=page, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(),
                  html_sha256=hashlib.sha256(page.encode("utf-8")).hexdigest())
