/* Small helpers shared by every page: CSRF-protected JSON posts, list inputs, repeatable rows, JSON textareas. */
(function () {
  'use strict';
  const token = () => document.querySelector('meta[name="csrf-token"]').content;

  async function postJSON(url, body) {
    const response = await fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRF-Token': token()},
      body: JSON.stringify(body)
    });
    let payload = {};
    try { payload = await response.json(); } catch (e) { payload = {code: response.status, message: response.statusText}; }
    return {status: response.status, body: payload};
  }

  function setupListInputs() {
    document.querySelectorAll('button.add-item').forEach(function (button) {
      button.addEventListener('click', function () {
        const box = document.getElementById(button.dataset.for);
        const inputs = box.querySelectorAll('input');
        const copy = inputs[inputs.length - 1].cloneNode();
        copy.value = '';
        box.insertBefore(copy, button);
        copy.focus();
      });
    });
  }

  function setupJsonFields() {
    document.querySelectorAll('textarea[data-json]').forEach(function (area) {
      area.addEventListener('input', function () {
        if (!area.value.trim()) { area.setCustomValidity(''); return; }
        try { JSON.parse(area.value); area.setCustomValidity(''); } catch (e) { area.setCustomValidity(e.message); }
      });
    });
  }

  // Repeatable sub-forms: a row is copied from the field's <template>, its "__i__" names numbered on.
  function setupRows() {
    document.addEventListener('click', function (event) {
      const target = event.target;
      if (target.matches('button.remove-row')) {
        target.closest('.sub-row').remove();
      } else if (target.matches('button.add-row')) {
        const box = document.getElementById(target.dataset.for);
        const next = Number(box.dataset.next || 0);
        box.dataset.next = String(next + 1);
        const row = box.querySelector('template.row-template').content.firstElementChild.cloneNode(true);
        row.querySelectorAll('[name], [id], [for]').forEach(function (el) {
          ['name', 'id', 'for'].forEach(function (attr) {
            if (el.hasAttribute(attr)) { el.setAttribute(attr, el.getAttribute(attr).replace('__i__', next)); }
          });
        });
        box.querySelector('.row-list').appendChild(row);
        const first = row.querySelector('input, textarea, select');
        if (first) { first.focus(); }
      }
    });
  }

  window.dmflow = {postJSON: postJSON, token: token};
  setupRows();
  setupListInputs();
  setupJsonFields();
})();
