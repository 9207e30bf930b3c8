"""The validators' reasons in Chinese, for editors.

The command-line validators (`python -m bot.knowledge validate`, `python -m bot.catalogue
validate`, the importer) speak English to developers. The console runs the very same checks and
shows their reasons through this table; a reason it does not know is shown as it is, after a
Chinese lead-in, so nothing is ever hidden.
"""

from __future__ import annotations

import re

FIELD_NAMES = {
    "code": "事项编码", "name": "事项名称", "aliases": "别名", "audience": "服务对象", "topic": "主题分类",
    "department": "实施主体", "channels": "办理渠道", "visits": "到现场次数", "conditions": "受理条件",
    "materials": "申请材料", "legal_days": "法定办结时限", "promised_days": "承诺办结时限", "fee": "收费标准",
    "place": "办理地点", "hours": "办理时间", "phone": "咨询电话", "online": "网上办理入口",
    "legal_basis": "设定依据", "source": "来源", "updated": "更新日期", "sample_fields": "示例字段",
    "examples": "常见问法",
    "situations": "适用情形",
    # the service-centre record
    "address": "地址", "handles": "可以办理",
    # knowledge topics
    "title": "标题", "answer": "答案", "passage": "原文段落", "terms": "术语", "related": "相关话题",
}

_REASONS: list[tuple[re.Pattern[str], str]] = [(re.compile(pattern), chinese) for pattern, chinese in [
    # catalogue (bot/catalogue/schema.py, files.py)
    (r"^is required and empty$", "必填，不能为空"),
    (r"^must be text$", "应为文字"),
    (r"^longer than (\d+) characters$", r"超过 \1 个字"),
    (r"^must be a list of texts$", "应为若干条文字"),
    (r"^more than (\d+) entries$", r"超过 \1 条"),
    (r"^an entry is longer than (\d+) characters$", r"有一条超过 \1 个字"),
    (r"^lists an entry twice$", "有重复的条目"),
    (r"^must be a whole number from 0 to (\d+)$", r"应为 0 到 \1 之间的整数"),
    (r"^must be a list$", "应为列表"),
    (r"^entry (\d+) must be a name or a mapping$", r"第 \1 项应为材料名称"),
    (r"^entry (\d+) has unknown keys (.*)$", r"第 \1 项有无法识别的键 \2"),
    (r"^entry (\d+) has no name$", r"第 \1 项没有材料名称"),
    (r"^lists a material twice$", "同一材料列了两次"),
    (r"^must be an ISO date such as 2024-05-01$", "应为日期，例如 2024-05-01"),
    (r"^must be `all` or a list of field names$", "应为“全部”或字段名列表"),
    (r"^(.*) are not fact fields; use (.*)$", r"\1 不是事实字段"),
    (r"^unknown field \(known: .*\)$", "无法识别的字段"),
    (r"^must be 2–64 letters, digits, '-', '_' or '\.'$", "应为 2–64 位字母、数字或 - _ ."),
    (r"^'(.*)' is not one of (.*)$", r"“\1”不是可选值（\2）之一"),
    (r"^a 全程网办 service needs 0 visits to the site$", "全程网办的事项到现场次数应为 0"),
    (r"^an online channel needs the online entry \(online\)$", "选择了网上办或全程网办，须填写网上办理入口"),
    (r"^repeats the name$", "别名与事项名称相同"),
    (r"^the promised time limit exceeds the legal one$", "承诺时限不能长于法定时限"),
    (r"^lies in the future$", "不能晚于今天"),
    (r"^must be digits \(and '-' or spaces\)$", "只能包含数字、“-”或空格"),
    (r"^a sample phone must be the 12345 hotline, never an invented number$",
     "示例电话只能是 12345 市民服务热线，不能编造号码"),
    (r"^the source gives no official facts, so flag (.*) as sample$",
     r"来源不是正式办事指南，\1 须标为示例"),
    (r"^'(.*)' is used twice$", r"编码“\1”重复"),
    (r"^'(.*)' already names (\S+) (.*)$", r"“\1”已是 \2 \3 的名称或别名"),
    (r"^the quoted passage is not a verbatim part of the article$", "引用的原文与文章不一致"),
    (r"^broken YAML: (.*)$", r"YAML 格式错误：\1"),
    (r"^file is empty$", "文件为空"),
    (r"^unknown top-level key (.*)$", r"无法识别的顶层键 \1"),
    (r"^needs `services:`, a list of services$", "缺少 services: 列表"),
    # the service-centre record (bot/catalogue/centre.py)
    (r"^'(.*)' already names (\S+) (.*) in the catalogue$", r"“\1”已是服务目录中 \2 \3 的名称或别名"),
    (r"^(.*) are not catalogue topics; use (.*)$", r"\1 不是服务目录中的主题分类"),
    (r"^a sample value must be a placeholder.*$",
     "示例值只能写“以……为准”这样的说明，不能含数字（不得编造门牌号或钟点）"),
    (r"^the service-centre record is missing$", "缺少服务中心记录文件"),
    # importer (bot/catalogue/importer.py)
    (r"^'(.*)' is not a number of visits such as 0 or 1$", r"“\1”不是次数（例如 0 或 1）"),
    (r"^'(.*)' is not 'N个工作日' or 即办$", r"“\1”应为“N个工作日”或“即办”"),
    (r"^'(.*)' is not a date such as 2024-05-01$", r"“\1”不是日期（例如 2024-05-01）"),
    (r"^'(.*)' is not a real date$", r"“\1”不是有效日期"),
    (r"^'(.*)' already in row (\d+)$", r"“\1”已在第 \2 行出现"),
    (r"^'(.*)' already in (\S+); edit it there$", r"“\1”已在 \2 中，请在那里修改"),
    (r"^not a readable XLSX workbook.*$", "无法读取该 XLSX 文件，请确认是 Excel 工作簿（.xlsx）"),
    (r"^give a \.csv or \.xlsx file$", "请上传 .xlsx 或 .csv 文件"),
    (r"^old \.xls workbooks are not read.*$", "不支持旧版 .xls，请另存为 .xlsx"),
    (r"^no header row with 事项名称 in the first (\d+) rows.*$", r"前 \1 行中没有含“事项名称”的表头行"),
    (r"^row (\d+): missing columns (.*)$", r"第 \1 行（表头）缺少列：\2"),
    (r"^row (\d+): columns given twice: (.*)$", r"第 \1 行（表头）有重复的列：\2"),
    (r"^no rows below the header$", "表头下没有数据行"),
    (r"^more than (\d+) rows.*$", r"超过 \1 行，请分成几次导入"),
    (r"^file is (\d+) MB; the limit is (\d+) MB.*$", r"文件 \1 MB，超过 \2 MB 的上限"),
    (r"^the catalogue files have problems; fix them first.*$", "目录文件本身有错误，请先修正"),
    (r"^cannot read the text.*$", "无法识别文字编码，请将 CSV 存为 UTF-8"),
    (r"^this is a spreadsheet \(XLSX\).*$", "这是 XLSX 工作簿，请使用 .xlsx 扩展名"),
    # knowledge (bot/knowledge/model.py)
    (r"^topic id must be lower-case letters, digits and _$", "话题编号只能用小写字母、数字和下划线"),
    (r"^title must have 1\.\.(\d+) characters$", r"标题应为 1–\1 个字"),
    (r"^answer is empty$", "答案为空"),
    (r"^passage is empty$", "原文段落为空"),
    (r"^passage is not a verbatim part of the article$", "原文段落与文章原文不一致"),
    (r"^figure '(.*)' of the answer is not in the passage$", r"答案中的数字“\1”不在原文段落里"),
    (r"^needs at least (\d+) examples$", r"至少需要 \1 个问法"),
    (r"^answer repeats the source line.*$", "答案不要重复来源行"),
    (r"^example '(.*)' also in (\S+)$", r"问法“\1”已属于话题 \2"),
    (r"^related '(.*)' unknown$", r"相关话题“\1”不存在"),
    (r"^topic id used twice$", "话题编号重复"),
    (r"^area must be '(.*)'$", r"area 应为“\1”"),
    (r"^must be a list of strings$", "应为文字列表"),
]]


def reason(text: str) -> str:
    """One validator reason in Chinese (the original kept when it is not in the table)."""
    text = text.strip()
    for pattern, chinese in _REASONS:
        if pattern.match(text):
            return pattern.sub(chinese, text)
    return f"校验未通过：{text}"


def field_reason(key: str | None, text: str) -> str:
    """'phone: must be digits…' → '咨询电话：只能包含数字…'."""
    name = FIELD_NAMES.get(key or "", key or "")
    return f"{name}：{reason(text)}" if name else reason(text)


_LOCATED = re.compile(r"^(?P<where>[^:\s]+\.yml(?::\d+)?): (?:(?P<key>[a-z_]+): )?(?P<reason>.*)$")
_IMPORT_ROW = re.compile(r"^(?P<file>.+?): row (?P<row>\d+): (?P<column>[^:]+): (?P<reason>.*)$")
_IMPORT_FILE = re.compile(r"^(?P<file>.+?): (?P<reason>.*)$")


def problem(line: str) -> str:
    """A validator's problem line (`talent.yml:12: name: …`, `business.yml: topic: …`) in Chinese,
    its place kept."""
    match = _LOCATED.match(line.strip())
    if not match:
        return reason(line)
    key = match.group("key")
    if key and key in FIELD_NAMES:
        return f"{match.group('where')}：{field_reason(key, match.group('reason'))}"
    if key:  # a knowledge topic id
        return f"{match.group('where')} 话题 {key}：{reason(match.group('reason'))}"
    return f"{match.group('where')}：{reason(match.group('reason'))}"


def import_problem(row: int | None, text: str) -> str:
    """One importer problem (bot.catalogue.importer.RowProblem's row and reason) in Chinese."""
    if row is None:
        return reason(text)
    column, _, rest = text.partition(": ")
    return f"第 {row} 行 {column}：{reason(rest)}" if rest else f"第 {row} 行：{reason(text)}"
