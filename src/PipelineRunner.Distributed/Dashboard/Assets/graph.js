// PipelineRunner dashboard: a run's graph (laid out on the server), coloured live by node state.
(function () {
  'use strict';
  var started = performance.now();
  var run = document.currentScript.dataset.run;
  var states = ['waiting', 'ready', 'running', 'retrying', 'done', 'failed', 'skipped'];
  var elements = {}, nodes = {}, selected = null;
  document.querySelectorAll('svg.pipeline g.v.task').forEach(function (el) {
    elements[el.querySelector('text').textContent] = el;
    el.addEventListener('click', function (e) { e.stopPropagation(); select(el.querySelector('text').textContent); });
  });
  document.querySelectorAll('svg.pipeline g.v.data, svg.pipeline g.v.parameters').forEach(function (el) {
    el.style.cursor = 'pointer';
    el.addEventListener('click', function (e) { e.stopPropagation(); selectDataset(el.querySelector('text').textContent); });
  });
  var stats = window.dashStats = { nodes: Object.keys(elements).length, updates: 0, updateMs: 0, firstRenderMs: null };
  var header = document.querySelector('header p');
  var legend = dash.el('p', { 'class': 'legend' });
  states.forEach(function (s) { var span = dash.el('span', { 'class': 'v task ' + s }, s); legend.appendChild(span); });
  var summary = dash.el('p', { id: 'summary' });
  if (header) { header.after(summary); summary.after(legend); }

  // Tags (from each node's tooltip): selecting some dims the nodes that have none of them.
  var tagsOf = {}, allTags = {}, chosen = {};
  Object.keys(elements).forEach(function (name) {
    var title = elements[name].querySelector('title'), line = title ? title.textContent.split('\n').filter(function (l) { return l.indexOf('tags: ') === 0; })[0] : null;
    tagsOf[name] = line ? line.slice(6).split(', ') : [];
    tagsOf[name].forEach(function (t) { allTags[t] = true; });
  });
  var tagNames = Object.keys(allTags).sort();
  if (tagNames.length > 0 && header) {
    var bar = dash.el('p', { 'class': 'tags', id: 'tags' }, 'Tags: ');
    tagNames.forEach(function (tag) {
      var button = dash.el('button', { type: 'button', 'data-tag': tag }, tag);
      button.addEventListener('click', function () {
        if (chosen[tag]) { delete chosen[tag]; } else { chosen[tag] = true; }
        button.classList.toggle('on', !!chosen[tag]);
        var any = Object.keys(chosen).length > 0;
        Object.keys(elements).forEach(function (name) {
          elements[name].classList.toggle('dimmed', any && !tagsOf[name].some(function (t) { return chosen[t]; }));
        });
      });
      bar.appendChild(button);
    });
    legend.after(bar);
  }

  function paint(node) {
    var el = elements[node.node];
    if (!el) { return; }
    states.forEach(function (s) { el.classList.toggle(s, s === node.state); });
    el.dataset.state = node.state;
    // The tooltip says the state and, once started, the duration.
    var title = el.querySelector('title');
    if (title) {
      if (el.dataset.tooltip === undefined) { el.dataset.tooltip = title.textContent; }
      title.textContent = el.dataset.tooltip + '\nstate: ' + node.state + (node.start ? ', ' + dash.seconds(node.start, node.end) : '')
        + (node.worker ? ' on ' + node.worker : '');
    }
  }
  function apply(node) {
    var known = nodes[node.node] || (nodes[node.node] = {});
    Object.keys(node).forEach(function (k) { known[k] = node[k]; });
    paint(known);
    if (selected === node.node) { select(node.node); }
  }
  function showSummary(progress) {
    if (!progress) { return; }
    var c = progress.counts;
    summary.textContent = 'Run ' + progress.outcome + ': ' + c.done + ' done, ' + c.running + ' running, ' + c.ready + ' ready, '
      + c.waiting + ' waiting, ' + c.failed + ' failed, ' + c.skipped + ' skipped; ' + dash.seconds(progress.submitted, progress.finished);
    summary.dataset.outcome = progress.outcome;
  }
  function select(name) {
    selected = name;
    Object.keys(elements).forEach(function (n) { elements[n].classList.toggle('selected', n === name); });
    var node = nodes[name] || { node: name, state: 'waiting' };
    var details = openDetails(name), list = details.list, panel = details.panel, item = details.item;
    item('state', node.state);
    item('inputs', (node.inputs || []).join(', ') || '—');
    item('outputs', (node.outputs || []).join(', ') || '—');
    item('worker', node.worker);
    item('attempts', node.attempts);
    item('retries', node.retries);
    item('duration', node.start ? dash.seconds(node.start, node.end) : '');
    item('error', node.error ? node.errorType + ': ' + node.error : '');
    item('last retried error', node.retryError);
    panel.appendChild(list);
    if (node.stack) { panel.appendChild(dash.el('pre', { 'class': 'stack' }, node.stack)); }
  }
  // The details panel, cleared and titled; item(label, value) adds a row unless the value is empty.
  function openDetails(title) {
    var panel = document.getElementById('details');
    panel.hidden = false;
    panel.replaceChildren();
    panel.appendChild(dash.el('h3', {}, title));
    var list = dash.el('dl');
    return {
      panel: panel,
      list: list,
      item: function (label, value) {
        if (value === undefined || value === null || value === '') { return; }
        list.appendChild(dash.el('dt', {}, label));
        list.appendChild(dash.el('dd', { 'data-field': label }, value));
      },
    };
  }
  function selectDataset(name) {
    selected = null;
    Object.keys(elements).forEach(function (n) { elements[n].classList.remove('selected'); });
    fetch('/api/runs/' + encodeURIComponent(run) + '/datasets/' + encodeURIComponent(name)).then(function (r) { return r.json(); }).then(function (d) {
      var details = openDetails(name), list = details.list, panel = details.panel, item = details.item;
      item('lives in', d.lives);
      item('type', d.type);
      item('file', d.filepath);
      item('where', d.where);
      item('size', d.bytes !== undefined && d.where !== undefined && d.bytes > 0 ? dash.bytes(d.bytes) : '');
      item('names', d.names.length > 1 ? d.names.join(', ') : '');
      item('written by', d.writtenBy.join(', ') || '—');
      item('read by', d.readBy.join(', ') || '—');
      // The load count: readers that have yet to load it (as the driver counts loads before it releases a dataset).
      item('load count', String(d.readBy.filter(function (reader) {
        var state = (nodes[reader] || {}).state || 'waiting';
        return state === 'waiting' || state === 'ready' || state === 'running' || state === 'retrying';
      }).length));
      panel.appendChild(list);
    });
  }
  document.querySelector('svg.pipeline').addEventListener('click', function () {
    selected = null; document.getElementById('details').hidden = true;
    Object.keys(elements).forEach(function (n) { elements[n].classList.remove('selected'); });
  });
  dash.connect('run=' + encodeURIComponent(run), function (snapshot) {
    nodes = {};
    (snapshot.nodes || []).forEach(apply);
    snapshot.runs.forEach(function (r) { if (r.id === run) { showSummary(r); } });
    if (stats.firstRenderMs === null) {
      requestAnimationFrame(function () { stats.firstRenderMs = performance.now() - started; stats.sinceNavigationMs = performance.now(); document.body.dataset.ready = 'true'; });
    }
  }, function (name, data) {
    if (name !== 'node' || data.run !== run) { return; }
    var t = performance.now();
    apply(data);
    showSummary(data.progress);
    stats.updates++;
    stats.updateMs += performance.now() - t;
  });
})();
