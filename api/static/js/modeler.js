/* The modeler page: bpmn-js with its properties panel, the files deployed beside the diagram,
   lint (the deploy's own checks, nothing stored) and deploy, with errors marked on their element. */
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('modeler-data').textContent);
  const text = data.text;
  const canvasBox = document.getElementById('canvas');
  const result = document.getElementById('result');
  const fileList = document.getElementById('file-list');
  const mainName = document.getElementById('main-name');
  const panel = window.BpmnJSPropertiesPanel;

  const modeler = new BpmnJS({
    container: canvasBox,
    propertiesPanel: {parent: '#panel'},
    additionalModules: [panel.BpmnPropertiesPanelModule, panel.BpmnPropertiesProviderModule,
                        window.dmflowTranslate(document.documentElement.lang)]
  });
  window.modeler = modeler;
  let marked = [];

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }

  function show(state, message, items) {
    result.dataset.state = state;
    result.className = 'result ' + state;
    result.replaceChildren(el('p', {text: message}));
    if (items && items.length) {
      result.appendChild(el('ul', {}, items.map(function (i) { return i instanceof Node ? el('li', {}, [i]) : el('li', {text: i}); })));
    }
  }

  /* ---- files beside the diagram ---- */
  function checkFile(name, content) {
    if (name.endsWith('.json')) {
      try { JSON.parse(content); return ''; } catch (e) { return text.bad_json + e.message; }
    }
    const doc = new DOMParser().parseFromString(content, 'application/xml');
    return doc.getElementsByTagName('parsererror').length ? text.bad_xml : '';
  }

  function addFileItem(name, content, open) {
    const area = el('textarea', {'class': 'code', rows: name.endsWith('.json') ? 12 : 16, 'data-name': name,
                                 spellcheck: 'false', 'aria-label': name});
    area.value = content;
    const problem = el('p', {'class': 'error-text', role: 'alert'});
    const validate = function () {
      const message = checkFile(name, area.value);
      problem.textContent = message;
      item.classList.toggle('invalid', Boolean(message));
      return !message;
    };
    area.addEventListener('input', validate);
    const remove = el('button', {type: 'button', 'class': 'remove', text: text.remove});
    const item = el('details', {'class': 'file', 'data-file': name}, [
      el('summary', {}, [el('code', {text: name}), remove]), area, problem]);
    if (open) { item.open = true; }
    remove.addEventListener('click', function (event) { event.preventDefault(); item.remove(); });
    item.validate = validate;
    fileList.appendChild(item);
    validate();
    return item;
  }

  Object.keys(data.files).sort().forEach(function (name) {
    if (name !== data.main) { addFileItem(name, data.files[name], false); }
  });

  document.getElementById('add-file').addEventListener('submit', function (event) {
    event.preventDefault();
    const input = document.getElementById('new-file-name');
    const name = input.value.trim();
    if (fileList.querySelector('[data-file="' + CSS.escape(name) + '"]') || name === mainName.value.trim()) {
      show('error', text.exists + ': ' + name);
      return;
    }
    const initial = name.endsWith('.json') ? '{\n  "type": "object",\n  "properties": {}\n}\n' : '';
    addFileItem(name, initial, true).querySelector('textarea').focus();
    input.value = '';
  });

  async function collect() {
    const items = Array.from(fileList.querySelectorAll('details.file'));
    const bad = items.filter(function (item) { return !item.validate(); });
    if (bad.length) {
      bad.forEach(function (item) { item.open = true; });
      show('error', text.failed + bad.map(function (i) { return i.dataset.file; }).join(', '));
      return null;
    }
    const saved = await modeler.saveXML({format: true});
    return [{name: mainName.value.trim(), content: saved.xml}].concat(items.map(function (item) {
      return {name: item.dataset.file, content: item.querySelector('textarea').value};
    }));
  }

  /* ---- a user task's form files (spiffworkflow:properties, kept as generic XML: no moddle descriptor,
     so every other spiffworkflow extension in a diagram survives the round trip untouched) ---- */
  const SPIFF = 'http://spiffworkflow.org/bpmn/schema/1.0/core';
  const FORM_KEYS = ['formJsonSchemaFilename', 'formUiSchemaFilename'];
  const formBox = document.getElementById('task-forms');
  let formElement = null;

  function propertiesOf(bo) {
    const values = (bo.extensionElements && bo.extensionElements.values) || [];
    return values.find(function (v) { return v.$type === 'spiffworkflow:properties'; });
  }

  function readForms(bo) {
    const found = {};
    const props = propertiesOf(bo);
    ((props && props.$children) || []).forEach(function (p) { found[p.name] = p.value; });
    return found;
  }

  function writeForms(element, wanted) {
    const moddle = modeler.get('moddle');
    const bo = element.businessObject;
    const old = propertiesOf(bo);
    const kept = ((old && old.$children) || []).filter(function (p) { return FORM_KEYS.indexOf(p.name) < 0; });
    const children = kept.concat(FORM_KEYS.filter(function (k) { return wanted[k]; }).map(function (k) {
      return moddle.createAny('spiffworkflow:property', SPIFF, {name: k, value: wanted[k]});
    }));
    const others = ((bo.extensionElements && bo.extensionElements.values) || []).filter(function (v) { return v !== old; });
    const values = children.length ? others.concat([moddle.createAny('spiffworkflow:properties', SPIFF, {$children: children})]) : others;
    const ext = values.length ? moddle.create('bpmn:ExtensionElements', {values: values}) : undefined;
    modeler.get('modeling').updateProperties(element, {extensionElements: ext});
  }

  function showFormBox(element) {
    formElement = element && element.type === 'bpmn:UserTask' ? element : null;
    formBox.hidden = !formElement;
    if (!formElement) { return; }
    const current = readForms(formElement.businessObject);
    formBox.querySelector('[data-key=formJsonSchemaFilename]').value = current.formJsonSchemaFilename || '';
    formBox.querySelector('[data-key=formUiSchemaFilename]').value = current.formUiSchemaFilename || '';
    const list = document.getElementById('json-files');
    list.replaceChildren.apply(list, Array.from(fileList.querySelectorAll('details.file')).map(function (item) {
      return el('option', {value: item.dataset.file});
    }).filter(function (o) { return o.value.endsWith('.json'); }));
  }

  formBox.querySelectorAll('input[data-key]').forEach(function (input) {
    input.addEventListener('change', function () {
      if (!formElement) { return; }
      const wanted = {};
      formBox.querySelectorAll('input[data-key]').forEach(function (i) { wanted[i.dataset.key] = i.value.trim(); });
      writeForms(formElement, wanted);
    });
  });
  modeler.on('selection.changed', function (event) { showFormBox(event.newSelection[0]); });

  /* ---- errors on the canvas ---- */
  function clearMarks() {
    const canvas = modeler.get('canvas');
    marked.forEach(function (id) { canvas.removeMarker(id, 'dm-error'); canvas.removeMarker(id, 'dm-warning'); });
    modeler.get('overlays').remove({type: 'dm-note'});
    marked = [];
  }

  function mark(id, cls, message) {
    const registry = modeler.get('elementRegistry');
    if (!id || !registry.get(id)) { return false; }
    modeler.get('canvas').addMarker(id, cls);
    modeler.get('overlays').add(id, 'dm-note', {
      position: {bottom: 8, left: 0},
      html: el('div', {'class': cls + '-overlay', text: message})
    });
    marked.push(id);
    return true;
  }

  function describe(problem) {
    const where = [problem.file, problem.line ? text.line + ' ' + problem.line : '', problem.element_id]
      .filter(Boolean).join(' · ');
    return (where ? where + ': ' : '') + problem.reason;
  }

  function showFailure(body) {
    const problems = (body.errors && body.errors.diagram) || [];
    problems.forEach(function (p) {
      if (!mark(p.element_id, 'dm-error', p.reason)) {
        const item = fileList.querySelector('[data-file="' + CSS.escape(p.file || '') + '"]');
        if (item) { item.open = true; item.classList.add('invalid'); item.querySelector('.error-text').textContent = p.reason; }
      }
    });
    show('error', text.failed + (body.message || ''), problems.map(describe));
  }

  function warnings(list) {
    return (list || []).map(function (w) {
      mark(w.element_id, 'dm-warning', w.reason);
      return text.warning + ': ' + w.element_id + ': ' + w.reason;
    });
  }

  async function send(url) {
    clearMarks();
    const files = await collect();
    if (!files) { return null; }
    show('working', text.working);
    const answer = await dmflow.postJSON(url, {files: files});
    if (answer.status >= 400) { showFailure(answer.body); return null; }
    return answer.body;
  }

  document.getElementById('lint').addEventListener('click', async function () {
    const body = await send(data.urls.lint);
    if (body) { show('ok', text.lint_ok + ' ' + body.processes.join(', '), warnings(body.warnings)); }
  });

  document.getElementById('deploy').addEventListener('click', async function () {
    const body = await send(data.urls.deploy);
    if (!body) { return; }
    const links = body.versions.map(function (v) {
      const link = el('a', {href: '/designer/' + encodeURIComponent(v.process_id) + '/' + v.version,
                            'class': v.created ? 'created' : 'unchanged',
                            text: v.process_id + ' v' + v.version + ' (' + (v.created ? text.new_version : text.same_version) + ')'});
      link.dataset.process = v.process_id;
      link.dataset.version = v.version;
      return link;
    });
    show('ok', body.created ? text.deployed : text.unchanged, links.concat(warnings(body.warnings)));
  });

  document.getElementById('download').addEventListener('click', async function () {
    const saved = await modeler.saveXML({format: true});
    const link = el('a', {href: URL.createObjectURL(new Blob([saved.xml], {type: 'application/xml'})),
                          download: mainName.value.trim() || 'diagram.bpmn'});
    document.body.appendChild(link);
    link.click();
    link.remove();
  });

  modeler.importXML(data.files[data.main]).then(function (done) {
    modeler.get('canvas').zoom('fit-viewport');
    canvasBox.dataset.state = 'ready';
    show('info', text.imported, warnings((done.warnings || []).map(function (w) {
      return {element_id: (w.element && w.element.id) || '', reason: w.message};
    })));
  }).catch(function (error) {
    canvasBox.dataset.state = 'failed';
    show('error', text.import_failed + error.message);
  });
})();
