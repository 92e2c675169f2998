/* Read-only diagrams: an instance's path (done / current / failed) or the two sides of a version diff. */
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('viewer-data').textContent);

  function markPath(viewer, markers) {
    const canvas = viewer.get('canvas');
    const registry = viewer.get('elementRegistry');
    const state = {};
    (markers.done || []).forEach(function (id) { state[id] = 'dm-done'; });
    (markers.current || []).forEach(function (id) { state[id] = 'dm-current'; });
    (markers.error || []).forEach(function (id) { state[id] = 'dm-error'; });
    Object.keys(state).forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, state[id]); } });
    // A sequence flow was taken when both of its ends were reached.
    registry.filter(function (el) { return el.type === 'bpmn:SequenceFlow'; }).forEach(function (flow) {
      if (flow.source && flow.target && state[flow.source.id] && state[flow.target.id]
          && state[flow.source.id] !== 'dm-error') {
        canvas.addMarker(flow.id, 'dm-done');
      }
    });
  }

  function markDiff(viewer, markers) {
    const canvas = viewer.get('canvas');
    const registry = viewer.get('elementRegistry');
    Object.keys(markers).forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, markers[id]); } });
  }

  document.querySelectorAll('.viewer[data-url]').forEach(async function (container) {
    const viewer = new BpmnJS({container: container});
    container.viewer = viewer;
    try {
      const response = await fetch(container.dataset.url, {credentials: 'same-origin'});
      if (!response.ok) { throw new Error(response.status + ' ' + response.statusText); }
      await viewer.importXML(await response.text());
      viewer.get('canvas').zoom('fit-viewport');
      const key = container.dataset.markers;
      if (key === 'path') { markPath(viewer, data.markers.path); } else { markDiff(viewer, data.markers[key] || {}); }
      container.dataset.state = 'ready';
    } catch (error) {
      container.dataset.state = 'failed';
      container.textContent = String(error.message || error);
    }
  });
})();
