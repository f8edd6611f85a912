// PipelineRunner dashboard: shared helpers (no dependencies, nothing fetched from elsewhere).
(function () {
  'use strict';
  var dash = window.dash = {};
  // Opens the event stream; calls onSnapshot(data) first and on every reconnect, then onEvent(name, data).
  dash.connect = function (query, onSnapshot, onEvent) {
    var live = document.getElementById('live');
    var source = new EventSource('/api/events' + (query ? '?' + query : ''));
    source.addEventListener('snapshot', function (e) {
      if (live) { live.textContent = 'live'; live.classList.add('on'); }
      onSnapshot(JSON.parse(e.data));
    });
    ['run', 'node'].forEach(function (name) {
      source.addEventListener(name, function (e) { onEvent(name, JSON.parse(e.data)); });
    });
    source.onerror = function () { if (live) { live.textContent = 'reconnecting…'; live.classList.remove('on'); } };
    return source;
  };
  dash.seconds = function (from, to) {
    if (!from) { return ''; }
    var ms = (to ? Date.parse(to) : Date.now()) - Date.parse(from);
    return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s';
  };
  dash.bytes = function (n) {
    var units = ['B', 'KB', 'MB', 'GB', 'TB'], i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
  };
  dash.el = function (tag, attrs, text) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text !== undefined) { el.textContent = text; }
    return el;
  };
})();
