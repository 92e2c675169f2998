/* Chinese for the modeler's own texts (palette, context pad, properties panel): a diagram-js translate
   module; anything not listed stays in English. */
(function () {
  'use strict';
  const ZH = {
    'Activate hand tool': '抓手工具', 'Activate lasso tool': '套索工具',
    'Activate create/remove space tool': '插入/删除空间', 'Activate global connect tool': '连线工具',
    'Create start event': '开始事件', 'Create intermediate/boundary event': '中间/边界事件',
    'Create end event': '结束事件', 'Create gateway': '网关', 'Create task': '任务',
    'Create expanded sub-process': '子流程', 'Create data object reference': '数据对象',
    'Create data store reference': '数据存储', 'Create pool/participant': '泳池/参与者', 'Create group': '分组',
    'Append end event': '追加结束事件', 'Append gateway': '追加网关', 'Append task': '追加任务',
    'Append intermediate/boundary event': '追加中间事件', 'Change element': '更改类型', 'Delete': '删除',
    'Connect using sequence/message flow or association': '连线', 'Add text annotation': '添加注释',
    'Connect to other element': '连接到其他元素', 'Append element': '追加元素', 'Change type': '更改类型',
    'General': '常规', 'Name': '名称', 'ID': '标识（ID）', 'Documentation': '说明',
    'Element documentation': '元素说明', 'Process documentation': '流程说明', 'Executable': '可执行',
    'Version tag': '版本标签', 'Process': '流程', 'Process name': '流程名称', 'Process ID': '流程标识',
    'Condition': '条件', 'Type': '类型', 'Expression': '表达式', 'Script': '脚本', 'Format': '格式',
    'Timer': '定时器', 'Message': '消息', 'Signal': '信号', 'Escalation': '升级', 'Error': '错误',
    'Multi-instance': '多实例', 'Inputs': '输入', 'Outputs': '输出', 'Links': '链接',
    'User Task': '用户任务', 'Script Task': '脚本任务', 'Service Task': '服务任务', 'Task': '任务',
    'Start Event': '开始事件', 'End Event': '结束事件', 'Exclusive Gateway': '排他网关',
    'Parallel Gateway': '并行网关', 'Sequence Flow': '顺序流', 'Lane': '泳道', 'Participant': '参与者',
    'Collaboration': '协作', 'Call Activity': '调用活动', 'Sub Process': '子流程',
    'Boundary Event': '边界事件', 'Intermediate Catch Event': '中间捕获事件',
    'Intermediate Throw Event': '中间抛出事件', 'Business Rule Task': '业务规则任务', 'Manual Task': '人工任务',
    'Must provide a value.': '必须填写。', 'ID must be unique.': '标识必须唯一。'
  };
  window.dmflowTranslate = function (lang) {
    const table = lang === 'zh-CN' ? ZH : {};
    return {
      translate: ['value', function (template, replacements) {
        const text = table[template] || template;
        return text.replace(/{([^}]+)}/g, function (_, key) { return (replacements || {})[key] || '{' + key + '}'; });
      }]
    };
  };
})();
