/* Small helpers shared by every page: CSRF-protected JSON posts, list inputs, JSON textareas. */
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

  window.dmflow = {postJSON: postJSON, token: token};
  setupListInputs();
  setupJsonFields();
})();
