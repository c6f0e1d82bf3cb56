// The dashboard's view (filters, sort order, chosen log) kept in the URL query string, so a
// copied URL opens the same view.

const DEFAULTS = {
  status: '',
  skill: '',
  q: '',
  sort: 'last_activity',
  log: '',
  lq: '',
  lshow: 'all',
  lsort: 'row',
  ldir: 'asc',
  lpage: '1',
  row: '',
};

export function readView() {
  const params = new URLSearchParams(window.location.search);
  const view = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS)) {
    if (params.has(key)) view[key] = params.get(key);
  }
  return view;
}

// Build a query string holding only the values that differ from the defaults.
export function queryFor(view) {
  const params = new URLSearchParams();
  for (const [key, fallback] of Object.entries(DEFAULTS)) {
    const value = view[key] ?? fallback;
    if (String(value) !== fallback) params.set(key, value);
  }
  const text = params.toString();
  return text ? `?${text}` : window.location.pathname;
}

// Store `view` in the address bar; `push` adds a history entry so Back returns to the last view.
export function writeView(view, { push = false, hash = '' } = {}) {
  const url = queryFor(view) + hash;
  if (push) {
    window.history.pushState(null, '', url);
  } else {
    window.history.replaceState(null, '', url);
  }
}
