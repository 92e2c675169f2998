"""Publication notices: the HTML states the whole vote, and the PDF really prints Chinese."""

from __future__ import annotations

import copy
import hashlib
import re
import shutil
import struct
import subprocess
import sys
import zlib
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from workflows import notices
from workflows.notices import NoticeUnavailable, render_notice, render_notice_html

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
AUDIT_HASH = "9c1f" * 16
NOTICE = {
    "organisation": "华东机械制造有限公司",
    "meeting": "第五届职工代表大会第三次会议",
    "title": "关于职工食堂扩建及午餐补贴调整方案的决议",
    "reference": "华机职代〔2026〕3号",
    "vote": {"seated": 120, "present": 104, "ballots_issued": 104, "valid": 102, "for": 87, "against": 9,
             "abstain": 6, "rule": "more_than_half_of_all_seated", "quorum_required": 80,
             "votes_required": 61, "outcome": "adopted", "secret": True},
    # 18:30 UTC on 4 March is 02:30 on 5 March in Shanghai: the notice must show the 5th.
    "published_at": datetime(2026, 3, 4, 18, 30, tzinfo=UTC),
    "period": 7,
    "audit_hash": AUDIT_HASH,
    "text": "本决议自公布之日起施行。\n请各部门认真组织落实，工会负责监督。",
}


def notice(**changes):
    data = copy.deepcopy(NOTICE)
    vote = changes.pop("vote", {})
    data.update(changes)
    data["vote"].update(vote)
    return data


def cell(page: str, label: str) -> str:
    """The text of the table cell right after the header cell `label`."""
    found = re.search(rf"<th>{re.escape(label)}</th>\s*<td[^>]*>([^<]*)</td>", page)
    assert found, f"no cell labelled {label!r}"
    return " ".join(found.group(1).split())


class TestHtml:
    def test_html_carries_the_latest_checkpoint_fingerprint_only_when_there_is_one(self):
        with_checkpoint = render_notice_html(notice(checkpoint="No. 7 · F8F4 640E 1A07 CEBF"))
        assert "最近一次签名审计检查点（编号与指纹）：<code>No. 7 · F8F4 640E 1A07 CEBF</code>" in with_checkpoint
        assert "审计检查点" not in render_notice_html(notice())

    def test_html_contains_the_full_tally(self):
        page = render_notice_html(NOTICE)
        assert cell(page, "全体职工代表（应到）") == "120 人"
        assert cell(page, "出席代表（实到）") == "104 人"
        assert cell(page, "法定出席人数") == "80 人"
        assert cell(page, "发出表决票") == "104"
        assert (cell(page, "有效票"), cell(page, "无效票")) == ("102", "2")
        assert (cell(page, "赞成"), cell(page, "反对"), cell(page, "弃权")) == ("87 票", "9 票", "6 票")
        assert cell(page, "通过所需赞成票") == "61 票"
        assert cell(page, "表决方式") == "无记名投票"

    def test_html_states_the_rule_applied_in_words(self):
        assert "赞成票超过全体职工代表半数" in cell(render_notice_html(NOTICE), "表决规则")
        at_least_half = render_notice_html(notice(vote={"rule": "at_least_half_of_all_seated", "for": 60,
                                                        "against": 36, "votes_required": 60}))
        assert "赞成票达到全体职工代表半数以上" in cell(at_least_half, "表决规则")

    def test_adopted_matter_is_announced_as_a_resolution(self):
        page = render_notice_html(NOTICE)
        assert "<h1>职工代表大会决议公告</h1>" in page
        assert cell(page, "表决结果") == "通过"
        assert "《关于职工食堂扩建及午餐补贴调整方案的决议》获得通过" in page

    def test_rejected_matter_is_announced_as_a_vote_result_not_a_resolution(self):
        page = render_notice_html(notice(vote={"for": 60, "against": 36, "outcome": "rejected"}))
        assert "<h1>职工代表大会表决结果公告</h1>" in page and "决议公告" not in page
        assert cell(page, "表决结果") == "未通过"
        assert "未达到通过所需的 61 票" in page

    def test_missing_quorum_is_stated_as_the_reason_for_rejection(self):
        page = render_notice_html(notice(vote={"present": 70, "ballots_issued": 70, "valid": 70, "for": 65,
                                               "against": 5, "abstain": 0, "outcome": "rejected"}))
        assert "不足法定出席人数 80 人，表决无效" in page

    def test_html_prints_the_audit_hash_for_checking_a_paper_copy(self):
        assert f"<code>{AUDIT_HASH}</code>" in render_notice_html(NOTICE)

    def test_publication_time_is_shown_in_shanghai_local_date(self):
        page = render_notice_html(NOTICE)
        assert "2026年3月5日 02:30" in page and "3月4日" not in page

    def test_publication_time_follows_the_requested_time_zone(self):
        page = render_notice_html(NOTICE, tz="UTC")
        assert "2026年3月4日 18:30" in page

    def test_publication_period_is_stated_in_days(self):
        assert "公告期：自公布之日起 7 日" in render_notice_html(NOTICE)
        assert "（至 2026年3月12日）" in render_notice_html(notice(period_until="2026-03-12"))

    def test_english_variant_states_the_same_vote_in_english(self):
        page = render_notice_html(NOTICE, lang="en")
        assert '<html lang="en">' in page
        assert "<h1>Resolution of the Workers&#39; Congress</h1>" in page
        assert cell(page, "For") == "87" and cell(page, "Against") == "9" and cell(page, "Abstain") == "6"
        assert cell(page, "Seated representatives") == "120" and cell(page, "Votes needed to adopt") == "61"
        assert cell(page, "Rule applied") == "more than half of all seated representatives in favour"
        assert cell(page, "Outcome") == "Adopted" and cell(page, "Voting method") == "secret ballot"
        assert "5 March 2026, 02:30 (Beijing time)" in page and AUDIT_HASH in page
        assert "Page " in page and "决议公告" not in page

    def test_chinese_page_is_declared_chinese_with_a_cjk_font_stack_and_numbered_a4_pages(self):
        page = render_notice_html(NOTICE)
        assert '<html lang="zh-CN">' in page
        assert "font-family: 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif;" in page
        assert "size: A4;" in page and 'content: "第 " counter(page) " 页";' in page

    def test_bar_chart_is_inline_svg_with_its_labels_as_text(self):
        page = render_notice_html(NOTICE)
        svg = page[page.index("<svg"):page.index("</svg>")]
        assert "font-family=\"&#x27;Noto Sans CJK SC&#x27;" in svg
        assert ">赞成</text>" in svg and ">87</text>" in svg and ">通过所需 61 票</text>" in svg
        assert svg.count("<rect") == 3

    def test_every_value_from_the_notice_is_escaped(self):
        evil = "<script>alert(1)</script>"
        page = render_notice_html(notice(title=evil, organisation=evil, meeting=evil, text=evil,
                                         reference=evil, issuer=evil))
        assert "<script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    def test_equal_input_gives_equal_html(self):
        assert render_notice_html(NOTICE) == render_notice_html(copy.deepcopy(NOTICE))


class TestValidation:
    @pytest.mark.parametrize("changes, message", [
        ({"vote": {"outcome": "rejected"}}, "contradicts the tally"),
        ({"vote": {"for": 50, "against": 46}}, "contradicts the tally"),
        ({"vote": {"present": 130}}, "vote.present (130) exceeds vote.seated (120)"),
        ({"vote": {"for": 100}}, "exceeds vote.valid"),
        ({"vote": {"rule": "two_thirds"}}, "vote.rule 'two_thirds' is unknown"),
        ({"vote": {"secret": "yes"}}, "vote.secret"),
        ({"vote": {"abstain": -1}}, "vote.abstain must be a non-negative integer"),
        ({"published_at": datetime(2026, 3, 4, 18, 30)}, "aware datetime"),
        ({"audit_hash": "not-a-hash"}, "SHA-256"),
        ({"period": 0}, "notice.period"),
        ({"title": "  "}, "notice.title"),
    ])
    def test_incomplete_or_inconsistent_notice_is_refused_naming_the_field(self, changes, message):
        with pytest.raises(ValueError, match=re.escape(message)):
            render_notice_html(notice(**changes))

    def test_unknown_language_or_time_zone_is_refused(self):
        with pytest.raises(ValueError, match="lang"):
            render_notice_html(NOTICE, lang="fr")
        with pytest.raises(ValueError, match="time zone"):
            render_notice_html(NOTICE, tz="Mars/Olympus")

    def test_offset_datetimes_are_accepted_and_shown_in_the_target_zone(self):
        beijing = timezone(timedelta(hours=8))
        page = render_notice_html(notice(published_at=datetime(2026, 3, 5, 2, 30, tzinfo=beijing)))
        assert "2026年3月5日 02:30" in page


class TestMissingDependencies:
    def test_missing_weasyprint_is_a_clear_error_not_an_import_crash(self, monkeypatch):
        monkeypatch.setitem(sys.modules, "weasyprint", None)
        with pytest.raises(NoticeUnavailable, match="pip install weasyprint"):
            render_notice(NOTICE)


# --- PDF: needs WeasyPrint, a CJK font and poppler-utils ------------------------------------------------

def _png_pixels(data: bytes) -> tuple[int, int, int, bytes]:
    """Decode an 8-bit PNG with zlib and struct only: (width, height, channels, raw samples)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and interlace == 0, header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    raw, stride, out = zlib.decompress(idat), width * channels, bytearray()
    prev = bytearray(stride)
    for y in range(height):
        kind, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = row[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if kind == 1:
                row[i] = (row[i] + a) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + b) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        out += row
        prev = row
    return width, height, channels, bytes(out)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is missing: apt-get install -y poppler-utils")
    return path


@pytest.fixture(scope="module")
def rendered():
    """The Chinese and English notices, rendered once (WeasyPrint takes about half a second each)."""
    try:
        return {"zh-CN": render_notice(NOTICE), "en": render_notice(NOTICE, lang="en")}
    except NoticeUnavailable as exc:
        pytest.skip(f"PDF notices cannot be rendered here: {exc}")


@pytest.fixture(scope="module")
def pdf_file(rendered, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("notice") / "notice.pdf"
    path.write_bytes(rendered["zh-CN"].pdf)
    return path


class TestPdf:
    def test_digests_are_the_sha256_of_the_pdf_and_of_the_html(self, rendered):
        result = rendered["zh-CN"]
        assert result.pdf.startswith(b"%PDF-")
        assert result.sha256 == hashlib.sha256(result.pdf).hexdigest()
        assert result.html_sha256 == hashlib.sha256(result.html.encode("utf-8")).hexdigest()
        assert result.html == render_notice_html(NOTICE)

    def test_same_notice_renders_to_the_same_pdf_bytes(self, rendered):
        from weasyprint.text.ffi import harfbuzz_subset

        if not harfbuzz_subset:
            pytest.skip("libharfbuzz-subset0 is missing: the fontTools fallback stamps the time into fonts")
        assert render_notice(copy.deepcopy(NOTICE)).sha256 == rendered["zh-CN"].sha256

    def test_pdf_embeds_a_cjk_font(self, pdf_file):
        fonts = subprocess.run([_tool("pdffonts"), str(pdf_file)], capture_output=True, text=True,
                               check=True).stdout
        cjk = re.compile(r"NotoSansCJK|Noto-Sans-CJK|WenQuanYi|wqy", re.IGNORECASE)
        embedded = [line for line in fonts.splitlines() if cjk.search(line)]
        assert embedded, fonts
        assert all(" yes " in line for line in embedded), fonts  # emb column

    def test_pdf_text_layer_holds_the_chinese_heading_and_footer(self, pdf_file):
        text = subprocess.run([_tool("pdftotext"), "-f", "1", "-l", "1", str(pdf_file), "-"],
                              capture_output=True, text=True, check=True).stdout
        compact = "".join(text.split())  # letter-spacing and line breaks come out as spaces
        assert "职工代表大会决议公告" in compact and "第1页" in compact
        assert "赞成票超过全体职工代表半数" in compact and "文号：华机职代〔2026〕3号" in compact
        # The signature, the seal area and the verification block may run onto the last page.
        whole = "".join(subprocess.run([_tool("pdftotext"), str(pdf_file), "-"], capture_output=True, text=True,
                                       check=True).stdout.split())
        assert AUDIT_HASH in whole and "二〇二六年三月五日" in whole and "（盖章）" in whole
        assert "（北京时间）" in whole and "Asia/Shanghai" not in whole

    def test_notice_is_an_official_document_with_number_adopted_text_seal_and_chinese_date(self):
        page = render_notice_html(notice(issuer="华东机械制造有限公司职工代表大会主席团"))
        assert "文号：华机职代〔2026〕3号" in page
        assert "<h2>决议全文</h2>" in page and '<p class="text">本决议自公布之日起施行。</p>' in page
        assert '<div class="seal" aria-label="（盖章）">（盖章）</div>' in page
        assert '<div class="issuer">华东机械制造有限公司职工代表大会主席团</div>' in page
        assert '<div class="date">二〇二六年三月五日</div>' in page
        assert "2026年3月5日 02:30（北京时间）" in page and "Asia/Shanghai" not in page
        assert "dmflow audit verify" in page

    def test_document_numbers_follow_the_configured_pattern(self):
        assert notices.reference_number("{org_short}职代〔{year}〕{seq}号", org_short=notices.short_name(
            "华东机械制造有限公司"), year=2026, seq=12) == "华东机械职代〔2026〕12号"
        assert notices.reference_number("工代字〔{year}〕第{seq}号", org_short="", year=2027, seq=1) == \
            "工代字〔2027〕第1号"
        with pytest.raises(ValueError, match="org_short"):
            notices.reference_number("{department}〔{year}〕", org_short="x", year=2026, seq=1)

    def test_dates_are_written_the_official_way(self):
        assert notices.chinese_date(date(2026, 12, 5)) == "二〇二六年十二月五日"
        assert notices.chinese_date(date(2030, 10, 20)) == "二〇三〇年十月二十日"
        assert notices.zone_name("Asia/Shanghai") == "北京时间"
        assert notices.zone_name("Asia/Shanghai", "en") == "Beijing time"

    def test_pdf_page_one_renders_visible_chinese(self, pdf_file, tmp_path):
        pdftoppm = _tool("pdftoppm")
        subprocess.run([pdftoppm, "-r", "50", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf_file),
                        str(tmp_path / "page")], check=True)
        width, height, channels, samples = _png_pixels((tmp_path / "page.png").read_bytes())
        assert (width, height) == (414, 585)  # A4 at 50 dpi
        colours = min(channels, 3)
        grey = [sum(samples[i:i + colours]) // colours for i in range(0, len(samples), channels)]
        dark = sum(1 for value in grey if value < 128) / len(grey)
        assert 0.01 < dark < 0.5, f"{dark:.2%} of the page is dark"
        # The heading 职工代表大会决议公告 (bold, about 13 px high at 50 dpi) must carry ink of its own.
        heading = grey[55 * width:76 * width]
        assert sum(1 for value in heading if value < 200) > 300
        ARTIFACTS.mkdir(exist_ok=True)
        subprocess.run([pdftoppm, "-r", "100", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf_file),
                        str(ARTIFACTS / "notice_page1")], check=True)
        assert (ARTIFACTS / "notice_page1.png").stat().st_size > 10_000

    def test_english_pdf_renders_too(self, rendered):
        assert rendered["en"].pdf.startswith(b"%PDF-") and rendered["en"].sha256 != rendered["zh-CN"].sha256

    def test_missing_cjk_font_is_a_clear_error(self, rendered, monkeypatch):
        monkeypatch.setattr(notices, "CJK_FAMILIES", ("No Such Font SC",))
        with pytest.raises(NoticeUnavailable, match="install fonts-noto-cjk"):
            render_notice(NOTICE)


def test_invalid_ballots_are_those_returned_but_not_valid():
    from workflows.notices import render_notice_html

    notice = {
        "organisation": "华东机械制造有限公司", "meeting": "第五届职工代表大会第三次会议",
        "title": "关于福利基金的决议",
        "published_at": datetime(2026, 3, 4, 18, 30, tzinfo=UTC), "period": 7, "audit_hash": "a" * 64,
        "vote": {"seated": 120, "present": 104, "ballots_issued": 104, "ballots_cast": 100, "valid": 98, "for": 87,
                 "against": 6, "abstain": 5, "rule": "more_than_half_of_all_seated", "quorum_required": 80,
                 "votes_required": 61, "outcome": "adopted", "secret": True}}
    html = render_notice_html(notice)
    # 100 returned - 98 valid = 2 invalid; the 4 ballots never returned are not invalid ones.
    assert '<th>无效票</th><td class="number">2</td>' in html


def test_the_notice_carries_a_qr_code_of_its_audit_hash_and_checkpoint():
    """Paper anchors the trail: the QR code holds the audit hash and the checkpoint's fingerprint."""
    from workflows.notices import render_notice_html

    page = render_notice_html(notice(checkpoint="第 3 号 · 9F2C 41AB"))
    qr = page[page.index('<div class="qr"'):]
    assert "<svg" in qr[:200]
    other = render_notice_html(notice(checkpoint="第 4 号 · 0000 0000"))
    assert other[other.index('<div class="qr"'):].split("</div>")[0] != qr.split("</div>")[0]
