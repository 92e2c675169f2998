/* Small helpers shared by every page: CSRF-protected JSON posts, list inputs, repeatable rows, JSON textareas,
   the menu's groups. */
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

  // People pickers. An input with data-people suggests seated representatives (name, employee number,
  // delegation) as one types; choosing one puts the employee number in the input and the name beside it.
  // An input with data-users (inside a .person-picker) suggests the organisation's users (name first, login
  // muted, departments); choosing one puts the name in the input and the login in the picker's hidden input,
  // or, in a picker with data-multiple, adds the person as a chip (a checked box with the login, and a remove
  // button) and empties the input. Without script the input is sent as typed, and the server resolves it.
  function setupPeoplePickers() {
    let timer = null;
    let asked = 0;
    function listFor(input) {
      let list = input.parentNode.querySelector('ul.people-results');
      if (!list) {
        list = document.createElement('ul');
        list.className = 'people-results';
        list.setAttribute('role', 'listbox');
      }
      input.insertAdjacentElement('afterend', list);
      return list;
    }
    function muted(text) {
      const span = document.createElement('span');
      span.className = 'muted';
      span.textContent = text;
      return span;
    }
    function choice(input, p) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'person-choice';
      if (input.dataset.users) {
        button.dataset.value = p.username;
        button.dataset.name = p.name;
        button.append(p.name, ' ', muted(p.username + (p.departments.length ? ' · ' + p.departments.join('、') : '')));
      } else {
        button.dataset.value = p.employee_no;
        button.dataset.name = p.name;
        button.textContent = p.name + ' · ' + p.employee_no + (p.delegation ? ' · ' + p.delegation : '');
      }
      return button;
    }
    function show(input, people) {
      const list = listFor(input);
      list.replaceChildren();
      people.forEach(function (p) {
        const item = document.createElement('li');
        item.appendChild(choice(input, p));
        list.appendChild(item);
      });
      list.hidden = people.length === 0;
      list.dataset.for = input.name;
      list.inputElement = input;
    }
    function addChip(picker, login, name) {
      const chips = picker.querySelector('ul.people-chosen');
      if (chips.querySelector('input[value="' + CSS.escape(login) + '"]')) { return; }
      const item = document.createElement('li');
      item.className = 'chip';
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.name = picker.dataset.multiple;
      box.value = login;
      box.checked = true;
      label.append(box, ' ' + name + ' ', muted(login));
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'chip-remove';
      remove.textContent = picker.dataset.removeLabel;
      remove.setAttribute('aria-label', picker.dataset.removeLabel + ' ' + name);
      item.append(label, ' ', remove);
      chips.appendChild(item);
    }
    function pick(input, button) {
      const picker = input.closest('.person-picker');
      if (!input.dataset.users) {
        input.value = button.dataset.value;
        input.title = button.dataset.name;
        return true;
      }
      if (picker.dataset.multiple) {
        addChip(picker, button.dataset.value, button.dataset.name);
        input.value = '';
        input.focus();
        return false;
      }
      picker.querySelector('input[type=hidden][data-login]').value = button.dataset.value;
      input.value = button.dataset.name;
      return false;
    }
    document.addEventListener('input', function (event) {
      const input = event.target;
      if (!input.matches || !input.matches('input[data-people], input[data-users]')) { return; }
      const login = input.dataset.users && input.closest('.person-picker').querySelector('input[type=hidden][data-login]');
      if (login) { login.value = ''; }  // typed over a picked name: the server reads what is typed now
      const text = input.value.trim();
      clearTimeout(timer);
      if (!text) { show(input, []); return; }
      timer = setTimeout(async function () {
        const mine = ++asked;
        const url = input.dataset.users || input.dataset.people;
        const response = await fetch(url + '?q=' + encodeURIComponent(text),
                                     {credentials: 'same-origin', headers: {'Accept': 'application/json'}});
        if (mine !== asked || !response.ok) { return; }
        show(input, await response.json());
      }, 200);
    });
    document.addEventListener('click', function (event) {
      const remove = event.target.closest && event.target.closest('button.chip-remove');
      if (remove) { remove.closest('li.chip').remove(); return; }
      const button = event.target.closest && event.target.closest('button.person-choice');
      if (!button) { return; }
      const list = button.closest('ul.people-results');
      const input = list.inputElement;
      list.hidden = true;
      if (pick(input, button)) {
        const name = document.createElement('span');
        name.className = 'picked';
        name.textContent = button.dataset.name;
        const old = list.nextElementSibling;
        if (old && old.classList.contains('picked')) { old.remove(); }
        list.insertAdjacentElement('afterend', name);
      }
      input.dispatchEvent(new Event('change', {bubbles: true}));
    });
  }

  document.addEventListener('click', function (event) {
    if (event.target.matches && event.target.matches('button[data-print]')) { window.print(); }
  });

  // A list filter: an input with data-filter="<selector>" hides the rows of that list whose data-filter-text
  // does not contain what is typed (without script every row stays shown).
  document.addEventListener('input', function (event) {
    const input = event.target;
    if (!input.matches || !input.matches('input[data-filter]')) { return; }
    const wanted = input.value.trim().toLowerCase();
    document.querySelectorAll(input.dataset.filter + ' [data-filter-text]').forEach(function (row) {
      row.hidden = wanted !== '' && row.dataset.filterText.toLowerCase().indexOf(wanted) < 0;
    });
  });

  // A form is sent once: a second click (or Enter) while the first submission is on its way is ignored, so a
  // double click never starts two cases or files twice. The buttons are disabled after the event (a disabled
  // submitter would not be sent); a form whose answer is a download gets them back after a few seconds, and
  // the page shown again by the browser's back button gets them back at once.
  function setupSingleSubmit() {
    document.addEventListener('submit', function (event) {
      const form = event.target;
      // getAttribute: a form with a field named "method" hides the form's own method property behind it
      if (event.defaultPrevented || (form.getAttribute('method') || '').toLowerCase() !== 'post') { return; }
      if (form.dataset.submitting) { event.preventDefault(); return; }
      form.dataset.submitting = '1';
      setTimeout(function () {
        form.querySelectorAll('button[type=submit], button:not([type]), input[type=submit]').forEach(function (b) {
          b.disabled = true;
          b.dataset.sending = '1';
        });
      }, 0);
      setTimeout(function () { release(form); }, 8000);
    });
    window.addEventListener('pageshow', function () { document.querySelectorAll('form[data-submitting]').forEach(release); });
  }

  function release(form) {
    delete form.dataset.submitting;
    form.querySelectorAll('[data-sending]').forEach(function (b) { b.disabled = false; delete b.dataset.sending; });
  }

  // The menu's groups are <details>: they open and close without script. This only keeps one open at a time and
  // closes it on a click elsewhere, on Escape (focus back on its summary) and when the focus tabs out of it.
  function setupMenuGroups() {
    const groups = Array.from(document.querySelectorAll('details.menu-group'));
    groups.forEach(function (group) {
      group.addEventListener('toggle', function () {
        if (group.open) { groups.forEach(function (other) { if (other !== group) { other.open = false; } }); }
      });
    });
    document.addEventListener('click', function (event) {
      groups.forEach(function (group) { if (group.open && !group.contains(event.target)) { group.open = false; } });
    });
    // after Tab (not on a pointer's focus change: closing then would move the entry under the finger)
    document.addEventListener('keyup', function (event) {
      if (event.key !== 'Tab') { return; }
      groups.forEach(function (group) { if (group.open && !group.contains(document.activeElement)) { group.open = false; } });
    });
    document.addEventListener('keydown', function (event) {
      if (event.key !== 'Escape') { return; }
      groups.forEach(function (group) {
        if (!group.open) { return; }
        group.open = false;
        if (group.contains(document.activeElement)) { group.querySelector('summary').focus(); }
      });
    });
  }

  window.dmflow = {postJSON: postJSON, token: token};
  setupMenuGroups();
  setupPeoplePickers();
  setupRows();
  setupSingleSubmit();
  setupListInputs();
  setupJsonFields();
})();
