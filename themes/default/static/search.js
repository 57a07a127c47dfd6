/* studybook search page: results as you type, facets, keyboard navigation.
 * Plain ES2017 without modules, so it runs in Chromium 80+ and Firefox ESR 78+.
 * The backend is one object with a search(params) method returning a Promise of
 * {total, results, facets}; the server backend asks /api/search. */
(function () {
  'use strict';

  var labelsEl = document.getElementById('search-labels');
  var input = document.getElementById('search-input');
  if (!labelsEl || !input) { return; }
  var L = labelsEl.dataset;
  var form = document.getElementById('search-page-form');
  var statusEl = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var facetsEl = document.getElementById('search-facets');
  var moreButton = document.getElementById('search-more');
  var FILTERS = ['kind', 'year', 'meeting', 'tag'];
  var PAGE_SIZE = 20;
  var FACETS_SHOWN = 12;
  var state = { q: '', kind: '', year: '', meeting: '', tag: '' };
  var active = -1;
  var timer = null;
  var sequence = 0;
  /* Results shown of the current query, and how many it has. */
  var shown = 0;
  var total = 0;

  var serverBackend = {
    search: function (params) {
      var query = Object.keys(params).filter(function (k) { return params[k] !== ''; })
        .map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(params[k]); }).join('&');
      return fetch('api/search?' + query, { headers: { Accept: 'application/json' } }).then(function (response) {
        /* Only studybook's API answers JSON here. Anything else means there is no API (a
         * static host's 404 or 403, or its home page sent for every missing path with a 200,
         * a proxy's 502...): use the pack. A JSON 400 or 500 with an `error` is the API's
         * answer about this query: the next one may well work. */
        var notTheApi = function () {
          var error = new Error('no search API (HTTP ' + response.status + ')');
          error.noApi = true;
          throw error;
        };
        if ((response.headers.get('content-type') || '').indexOf('application/json') !== 0) { return notTheApi(); }
        return response.json().then(function (data) {
          if (response.ok && data && Array.isArray(data.results)) { return data; }
          if ((response.status === 400 || response.status === 500) && data && typeof data.error === 'string') {
            throw new Error('HTTP ' + response.status + ': ' + data.error);
          }
          return notTheApi();
        }, notTheApi);
      }, function (networkError) {
        networkError.noApi = true;
        throw networkError;
      });
    }
  };
  /* Served by `studybook serve`, ask its /api/search; anywhere else (a plain static host,
   * file://), or if there is no API (no answer, 404, 502...), search the static pack. */
  var staticBackend = {
    engine: null,
    search: function (params) {
      if (!this.engine) { this.engine = new window.StudybookStaticSearch('search/pack/'); }
      return this.engine.search(params);
    }
  };
  var forceStatic = /[?&]engine=static(&|$)/.test(window.location.search) || window.location.protocol === 'file:';
  var backend = forceStatic ? staticBackend : {
    search: function (params) {
      return serverBackend.search(params).catch(function (error) {
        if (!error.noApi) { throw error; }
        backend = staticBackend;
        return staticBackend.search(params);
      });
    }
  };

  function encodeUrl(url) {
    return url.split('/').map(encodeURIComponent).join('/');
  }

  /* A filter's value as the server accepts it: a hand-edited address with another value
   * searches unfiltered, the same with either backend (the API would refuse it). */
  function validFilter(name, value) {
    if (name === 'kind') { return value === 'note' || value === 'session' || value === 'section' ? value : ''; }
    if (name === 'year') { return /^[0-9]{1,4}$/.test(value) && Number(value) > 0 ? value : ''; }
    return value;
  }

  /* A kind as readers call it (a theme's own search.html may predate sections' label). */
  function kindLabel(kind) {
    if (kind === 'session') { return L.session; }
    if (kind === 'section') { return L.section || ''; }
    return L.note;
  }

  function readLocation() {
    var params = new URLSearchParams(window.location.search);
    state.q = params.get('q') || '';
    FILTERS.forEach(function (f) { state[f] = validFilter(f, params.get(f) || ''); });
    input.value = state.q;
  }

  function writeLocation() {
    var params = new URLSearchParams();
    if (state.q) { params.set('q', state.q); }
    if (/[?&]engine=static(&|$)/.test(window.location.search)) { params.set('engine', 'static'); }
    FILTERS.forEach(function (f) { if (state[f]) { params.set(f, state[f]); } });
    var search = params.toString();
    try {
      window.history.replaceState(null, '', search ? '?' + search : window.location.pathname);
    } catch (e) { /* file:// in some browsers refuses replaceState */ }
  }

  function setStatus(text, isError) {
    statusEl.textContent = text;
    statusEl.className = 'search-status' + (isError ? ' error' : '');
  }

  /* A query that found nothing, corrected (the engines' suggestion): on its own line, first,
   * a link that searches it; Back returns to the query as typed. */
  function showSuggestion(suggestion) {
    var line = el('span', 'search-suggestion', L.suggestion);
    var link = el('a', '', suggestion);
    var params = new URLSearchParams(window.location.search);
    params.set('q', suggestion);
    link.href = '?' + params.toString();
    link.addEventListener('click', function (event) {
      event.preventDefault();
      try {
        window.history.pushState(null, '', link.href);
      } catch (e) { /* file:// in some browsers refuses pushState */ }
      input.value = suggestion;
      run(false);
      input.focus();
    });
    line.appendChild(link);
    statusEl.insertBefore(line, statusEl.firstChild);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  /* Shows `data`'s results, after those shown (`append`, the next page) or instead of them. */
  function renderResults(data, append) {
    if (!append) {
      list.innerHTML = '';
      active = -1;
      shown = 0;
    }
    total = data.total;
    shown += data.results.length;
    if (moreButton) { moreButton.hidden = shown >= total || data.results.length === 0; }
    data.results.forEach(function (hit) {
      var item = el('li', 'search-result kind-' + hit.kind);
      var link = el('a');
      link.href = encodeUrl(hit.url);
      link.innerHTML = hit.title_html; /* escaped by the search engine, only <mark> is markup */
      item.appendChild(link);
      var meta = el('div', 'page-meta');
      if (kindLabel(hit.kind)) { meta.appendChild(el('span', 'badge', kindLabel(hit.kind))); }
      if (hit.date) { meta.appendChild(el('time', '', hit.date)); }
      if (hit.meeting) { meta.appendChild(el('span', '', hit.meeting)); }
      /* A record may be found by its host: say who it was. */
      if (hit.host && L.host !== undefined) { meta.appendChild(el('span', 'host', L.host + L.colon + hit.host)); }
      if (hit.studied > 0) {
        /* A theme's older search.html may lack the count's labels. */
        var studied = L.studiedBefore === undefined ? L.studied + ' ' + hit.studied
          : L.studiedBefore + hit.studied + (hit.studied === 1 ? L.studiedAfterOne : L.studiedAfter);
        meta.appendChild(el('span', 'studied', studied));
      }
      item.appendChild(meta);
      var snippet = el('p', 'snippet');
      snippet.innerHTML = hit.snippet; /* escaped by the search engine, only <mark> is markup */
      item.appendChild(snippet);
      list.appendChild(item);
    });
  }

  /* The facets of a search that found `total` pages. */
  function renderFacets(facets, total) {
    facetsEl.innerHTML = '';
    var groups = [['kind', L.kind], ['year', L.year], ['meeting', L.meeting], ['tag', L.tags]];
    var shown = 0;
    groups.forEach(function (group) {
      var name = group[0];
      var values = (facets[name] || []).slice(0, FACETS_SHOWN);
      /* A filter in force is always shown, checked, so the reader sees what narrows the
       * results, even when it leaves none or its value is not among the first shown: every
       * result then has that value. */
      var active = state[name];
      if (active && !values.some(function (v) { return String(v.value) === active; })) {
        values.push({ value: active, count: total });
      }
      if (values.length === 0 && !state[name]) { return; }
      var fieldset = el('fieldset');
      fieldset.appendChild(el('legend', '', group[1]));
      var options = [{ value: '', count: null }].concat(values);
      options.forEach(function (option) {
        var label = el('label');
        var radio = el('input');
        radio.type = 'radio';
        radio.name = 'facet-' + name;
        radio.value = option.value;
        radio.checked = state[name] === String(option.value);
        radio.addEventListener('change', function () {
          state[name] = option.value;
          run(true);
        });
        label.appendChild(radio);
        var text = option.value === '' ? L.all : (name === 'kind' ? kindLabel(option.value) : option.value);
        label.appendChild(document.createTextNode(' ' + text + (option.count !== null ? ' (' + option.count + ')' : '')));
        fieldset.appendChild(label);
      });
      facetsEl.appendChild(fieldset);
      shown += 1;
    });
    facetsEl.hidden = shown === 0;
  }

  /* Both engines read at most this many characters of a query (MAX_QUERY_CHARS in query.rs). */
  var MAX_QUERY_CHARS = 200;

  function run(updateLocation) {
    state.q = Array.from(input.value.trim()).slice(0, MAX_QUERY_CHARS).join('').trim();
    if (updateLocation) { writeLocation(); }
    /* Filters with no words list the pages they admit, newest first. */
    var filtered = FILTERS.some(function (f) { return state[f]; });
    if (!state.q && !filtered) {
      list.innerHTML = '';
      facetsEl.hidden = true;
      if (moreButton) { moreButton.hidden = true; }
      setStatus('', false);
      return;
    }
    search(0);
  }

  /* Searches the current query from result `offset` on: 0 starts anew, more appends. */
  function search(offset) {
    var mine = ++sequence;
    /* Facets are shown for the first page only, FACETS_SHOWN values each. */
    var params = { q: state.q, limit: PAGE_SIZE, facets: offset > 0 ? 0 : FACETS_SHOWN };
    if (offset > 0) { params.offset = offset; }
    FILTERS.forEach(function (f) { params[f] = state[f]; });
    backend.search(params).then(function (data) {
      if (mine !== sequence) { return; }
      renderResults(data, offset > 0);
      if (offset === 0) { renderFacets(data.facets || {}, data.total); }
      /* After "more", the reader goes on from the first new result. */
      else if (data.results.length > 0) { clearActive(); active = offset - 1; moveActive(1); }
      setStatus(data.total === 0 ? L.noResults : data.total + ' ' + L.results, false);
      if (data.total === 0 && data.suggestion && L.suggestion) { showSuggestion(data.suggestion); }
    }).catch(function () {
      if (mine !== sequence) { return; }
      list.innerHTML = '';
      facetsEl.hidden = true;
      if (moreButton) { moreButton.hidden = true; }
      setStatus(L.unavailable, true);
    });
  }

  if (moreButton) {
    moreButton.addEventListener('click', function () { search(shown); });
  }

  /* No result marked active: the next arrow starts from the first. */
  function clearActive() {
    Array.prototype.forEach.call(list.querySelectorAll('.search-result.active'), function (item) { item.classList.remove('active'); });
    active = -1;
  }

  function moveActive(step) {
    var items = list.querySelectorAll('.search-result');
    if (items.length === 0) { return; }
    if (active >= 0 && items[active]) { items[active].classList.remove('active'); }
    active = Math.max(0, Math.min(items.length - 1, active + step));
    items[active].classList.add('active');
    items[active].querySelector('a').focus();
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(function () { run(true); }, 200);
  }
  /* While an input method composes (pinyin letters before they become characters), the box holds letters the
   * reader has not chosen: search when the composition ends. */
  input.addEventListener('input', function (event) {
    if (event.isComposing) { return; }
    later();
  });
  input.addEventListener('compositionend', later);
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    clearTimeout(timer);
    run(true);
  });
  document.addEventListener('keydown', function (event) {
    /* Arrow keys move through the results from the search box or a result; elsewhere (a facet's
     * radio buttons, the page) they do what they always do. */
    var target = event.target;
    var ours = target === input || list.contains(target) || statusEl.contains(target) || target === document.body || target === document.documentElement;
    if (!ours || event.isComposing) { return; }
    var suggestion = statusEl.querySelector('.search-suggestion a');
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      /* No results but a correction: the way down from the box leads to it. */
      if (suggestion && list.querySelectorAll('.search-result').length === 0) { suggestion.focus(); } else { moveActive(1); }
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      if (active <= 0) { clearActive(); input.focus(); } else { moveActive(-1); }
    } else if (event.key === 'Escape') { clearActive(); input.focus(); input.select(); }
  });

  /* Back and Forward after following a suggestion: the query of that address. */
  window.addEventListener('popstate', function () {
    readLocation();
    run(false);
  });

  readLocation();
  input.focus();
  if (state.q || FILTERS.some(function (f) { return state[f]; })) { run(false); }
})();
