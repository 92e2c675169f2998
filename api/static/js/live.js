/* Live meeting pages: poll the meeting's small JSON every few seconds; update the counts in place and reload
   when the session or a vote opens or closes (unless the presidium is in the middle of filling a form).
   Also the sign-in sheet's filter and "tick all shown". */
(function () {
  'use strict';
  const box = document.getElementById('live');
  const PERIOD = 3000;

  function stateOf(data) {
    return data.status + '|' + data.votes.map(function (v) { return v.id + ':' + v.status + ','; }).join('') +
      (data.rounds || []).map(function (r) { return 'r' + r.id + ':' + r.status + ','; }).join('');
  }

  function busy() {
    if (document.querySelector('input[name="representative_id"]:checked')) { return true; }
    const typed = Array.prototype.some.call(document.querySelectorAll('input[type="number"], #matter-title'),
      function (input) { return input.value !== ''; });
    return typed;
  }

  function show(data) {
    const present = document.getElementById('live-present');
    if (present) { present.textContent = data.present; }
    data.votes.forEach(function (v) {
      const line = document.querySelector('.live-count[data-vote="' + v.id + '"] .cast');
      if (line) { line.textContent = v.cast; }
    });
    if (stateOf(data) !== box.dataset.state) {
      if (!busy()) { window.location.reload(); return; }
      const note = document.getElementById('live-note');
      if (note) { note.textContent = note.dataset.changed || note.textContent; note.classList.add('changed'); }
    }
  }

  async function poll() {
    if (document.visibilityState === 'visible') {
      try {
        const response = await fetch(box.dataset.liveUrl, {credentials: 'same-origin',
                                                           headers: {'Accept': 'application/json'}});
        if (response.ok) { show(await response.json()); }
      } catch (e) { /* the network is back at the next tick */ }
    }
    window.setTimeout(poll, PERIOD);
  }

  function setupSheet() {
    const filter = document.getElementById('sheet-filter');
    const rows = document.querySelectorAll('#people tbody tr');
    if (filter) {
      filter.addEventListener('input', function () {
        const q = filter.value.trim().toLowerCase();
        rows.forEach(function (row) { row.hidden = q !== '' && !row.dataset.search.toLowerCase().includes(q); });
      });
    }
    const all = document.getElementById('tick-all');
    if (all) {
      all.addEventListener('click', function () {
        rows.forEach(function (row) {
          const box = row.querySelector('input[type="checkbox"]');
          if (box && !row.hidden) { box.checked = true; }
        });
      });
    }
  }

  setupSheet();
  if (box) { window.setTimeout(poll, PERIOD); }
})();
