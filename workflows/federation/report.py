"""The dashboard as the table federations report upward: CSV (UTF-8 with BOM, for Excel) and Excel (.xlsx).

The .xlsx is written with the standard library (zipfile + SpreadsheetML): one sheet of member rows, one of the
rates, inline strings, numbers as numbers; no dependency.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any
from xml.sax.saxutils import escape

from workflows.contracts.record import KIND_NAMES

MEMBER_COLUMNS = (
    ("序号", lambda i, m: i),
    ("单位名称", lambda i, m: m["name"]),
    ("所在区域", lambda i, m: m["region"] or ""),
    ("所属行业", lambda i, m: m["industry"] or ""),
    ("职工人数", lambda i, m: m["headcount"] if m["headcount"] is not None else ""),
    ("职代会最近召开日期", lambda i, m: str(m["last_congress_on"] or "")),
    ("职代会按期召开", lambda i, m: "是" if m["congress_met"] else "否"),
    ("规定召开间隔（月）", lambda i, m: m["session_interval_months"]),
    ("本单位集体合同", lambda i, m: KIND_NAMES.get(m["contract_kind"], "无")),
    ("合同状态", lambda i, m: m["contract_stage_name"] or ""),
    ("合同期满日期", lambda i, m: str(m["contract_expires_on"] or "")),
    ("适用区域性/行业性集体合同", lambda i, m: "、".join(c["title"] for c in m["regional_contracts"])),
    ("集体合同覆盖", lambda i, m: "是" if m["contract_covered"] else "否"),
    ("应公开事项", lambda i, m: m["disclosures_due"]),
    ("已公开事项", lambda i, m: m["disclosures_done"]),
    ("厂务公开", lambda i, m: "是" if m["disclosure_practised"] else "否"),
    ("逾期待办", lambda i, m: m["overdue_steps"]),
)


def member_rows(figures: dict[str, Any]) -> list[list[Any]]:
    return [[get(i, m) for _, get in MEMBER_COLUMNS] for i, m in enumerate(figures["members"], start=1)]


def rate_rows(figures: dict[str, Any]) -> list[list[Any]]:
    t, r = figures["totals"], figures["rates"]

    def pct(value: float | None) -> Any:
        return "" if value is None else value

    return [
        ["指标", "分子", "分母", "比率（%）"],
        ["职代会建制率", t["congress_met"], t["members"], pct(r["congress"])],
        ["集体合同覆盖率（按单位）", t["contract_covered"], t["members"], pct(r["contract_members"])],
        ["集体合同覆盖率（按职工人数）", t["covered_workers"], t["headcount"], pct(r["contract_workers"])],
        ["厂务公开覆盖率", t["disclosure_practised"], t["members"], pct(r["disclosure"])],
    ]


def title(figures: dict[str, Any]) -> str:
    return f"{figures['federation']['name']}所属企业民主管理情况统计表（截至{figures['as_of']}）"


def to_csv(figures: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title(figures)])
    writer.writerow([name for name, _ in MEMBER_COLUMNS])
    writer.writerows(member_rows(figures))
    writer.writerow([])
    writer.writerows(rate_rows(figures))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _col(n: int) -> str:
    name = ""
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name


def _sheet(rows: list[list[Any]]) -> str:
    out = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row, start=1):
            ref = f"{_col(c)}{r}"
            if isinstance(value, bool) or value is None or value == "":
                value = "" if value in (None, "") else ("是" if value else "否")
            if isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif value != "":
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
        out.append(f'<row r="{r}">{"".join(cells)}</row>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<sheetData>{"".join(out)}</sheetData></worksheet>')


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def to_xlsx(figures: dict[str, Any]) -> bytes:
    """A workbook with the sheets 成员单位 (a title row, the headers, a row per member) and 覆盖率."""
    sheets = [("成员单位", [[title(figures)], [n for n, _ in MEMBER_COLUMNS], *member_rows(figures)]),
              ("覆盖率", rate_rows(figures))]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="{_CT}">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_CT}"/>'
                      for i in range(1, len(sheets) + 1)) + "</Types>"))
        z.writestr("_rels/.rels", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        z.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            "<sheets>" + "".join(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
                                 for i, (name, _) in enumerate(sheets, start=1)) + "</sheets></workbook>"))
        z.writestr("xl/_rels/workbook.xml.rels", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, len(sheets) + 1)) + "</Relationships>"))
        for i, (_, rows) in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", _sheet(rows))
    return buffer.getvalue()
