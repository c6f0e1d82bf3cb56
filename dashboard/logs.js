// "View logs": the list of logs from signals/funnel_logs/index.json and one log at a time as a
// paged table that can be sorted by any column and filtered by text, with orphan rows marked.

import { compareValues, el, humanize, plural } from './dom.js';
import { isSafeSignalPath, loadSignal, SignalsError } from './signals.js';

export const PAGE_SIZE = 25;
const SHOW_OPTIONS = { all: 'All rows', orphans: 'Orphan rows', findings: 'Rows with findings' };

export class LogViewer {
  // `getView()` returns the current view; `setView(changes, options)` stores changes in the URL
  // and calls update() again.
  constructor(container, getView, setView) {
    this.container = container;
    this.getView = getView;
    this.setView = setView;
    this.index = null;
    this.indexError = null;
    this.drilldowns = new Map();
    this.shownLog = null;
    this.parts = null;
  }

  async loadIndex() {
    try {
      const index = await loadSignal('funnel_logs/index.json');
      this.index = Array.isArray(index?.logs) ? index.logs : [];
    } catch (error) {
      if (!(error instanceof SignalsError)) throw error;
      this.indexError = error;
    }
  }

  // Redraw for the current view. `focusRow` moves focus to the view's row, for links that
  // point at one row.
  async update({ focusRow = false } = {}) {
    const view = this.getView();
    if (this.indexError) {
      this.container.replaceChildren(el('p', { class: 'error', role: 'alert', text: this.indexError.message }));
      return;
    }
    if (this.shownLog !== view.log || !this.parts) {
      await this.showLog(view.log);
    }
    this.markChosenLog(view.log);
    if (this.parts?.rows) this.renderRows({ focusRow });
  }

  async showLog(file) {
    this.shownLog = file;
    const list = this.renderIndex();
    const panel = el('div', { class: 'log-panel', id: 'log-panel' });
    this.container.replaceChildren(list, panel);
    this.parts = { list, panel, rows: null };
    if (!file) {
      panel.append(el('p', { class: 'hint', text: 'Choose a log above to see its rows.' }));
      return;
    }
    const entry = this.index.find((log) => log.file === file);
    if (!entry) {
      panel.append(el('p', { class: 'error', role: 'alert', text: `No log named "${file}" in signals/funnel_logs/index.json.` }));
      return;
    }
    if (!entry.drilldown) {
      const reason = entry.skipped_reason ? humanize(entry.skipped_reason) : 'no reason given';
      panel.append(el('h3', { text: file }), el('p', { class: 'hint', text: `This file was skipped by the build (${reason}), so it has no rows to show.` }));
      return;
    }
    if (!isSafeSignalPath(entry.drilldown)) {
      panel.append(el('p', { class: 'error', role: 'alert', text: `The drilldown path "${entry.drilldown}" for ${file} is not a JSON file under signals/.` }));
      return;
    }
    panel.append(el('p', { class: 'hint', text: `Loading ${file}…` }));
    let drilldown;
    try {
      drilldown = this.drilldowns.get(entry.drilldown) ?? await loadSignal(entry.drilldown);
    } catch (error) {
      if (!(error instanceof SignalsError)) throw error;
      panel.replaceChildren(el('h3', { text: file }), el('p', { class: 'error', role: 'alert', text: error.message }));
      return;
    }
    if (this.shownLog !== file) return;
    this.drilldowns.set(entry.drilldown, drilldown);
    this.buildLogPanel(panel, entry, drilldown);
  }

  renderIndex() {
    if (this.index.length === 0) {
      return el('p', { class: 'empty', text: 'signals/funnel_logs/index.json lists no logs: data/internal/ had no CSV files at the last build.' });
    }
    const rows = this.index.map((log) => el('tr', { 'data-log': log.file },
      el('th', { scope: 'row' }, el('button', {
        type: 'button', class: 'link-button', 'data-file': log.file, text: log.file,
        onclick: () => this.setView({ log: log.file, lq: '', lshow: 'all', lsort: 'row', ldir: 'asc', lpage: '1', row: '' }, { push: true }),
      })),
      el('td', { 'data-label': 'Kind', text: log.kind ?? 'unknown' }),
      el('td', { 'data-label': 'Rows', class: 'number', text: log.rows ?? 0 }),
      el('td', { 'data-label': 'Orphans', class: 'number', text: log.orphans ?? 0 }),
      el('td', { 'data-label': 'Findings', class: 'number', text: log.findings ?? 0 }),
      el('td', { 'data-label': 'Note', text: log.drilldown ? '' : `skipped: ${humanize(log.skipped_reason ?? 'unknown reason')}` })));
    return el('div', { class: 'table-scroll' },
      el('table', { class: 'log-index stacked' },
        el('caption', { text: `${plural(this.index.length, 'log')} from the last build` }),
        el('thead', {}, el('tr', {},
          ['File', 'Kind', 'Rows', 'Orphans', 'Findings', 'Note'].map((text, index) => el('th', {
            scope: 'col', class: index >= 2 && index <= 4 ? 'number' : null, text,
          })))),
        el('tbody', {}, rows)));
  }

  markChosenLog(file) {
    for (const button of this.container.querySelectorAll('.log-index button')) {
      if (button.dataset.file === file) {
        button.setAttribute('aria-current', 'true');
      } else {
        button.removeAttribute('aria-current');
      }
    }
  }

  buildLogPanel(panel, entry, drilldown) {
    const rows = Array.isArray(drilldown.rows) ? drilldown.rows : [];
    const columns = logColumns(Array.isArray(drilldown.columns) ? drilldown.columns : []);
    const view = this.getView();
    const filter = el('input', {
      type: 'search', id: 'log-filter', value: view.lq, autocomplete: 'off',
      oninput: (event) => this.setView({ lq: event.target.value, lpage: '1', row: '' }),
    });
    const show = el('select', { id: 'log-show', onchange: (event) => this.setView({ lshow: event.target.value, lpage: '1', row: '' }) },
      Object.entries(SHOW_OPTIONS).map(([value, label]) => el('option', { value, selected: value === view.lshow, text: label })));
    const heading = el('h3', { id: 'log-heading', tabindex: -1, text: entry.file });
    const facts = el('p', { class: 'log-facts', text:
      `${humanize(entry.kind ?? 'unknown')} log, ${entry.encoding ?? 'unknown encoding'}: ${plural(entry.rows ?? rows.length, 'row')}, ` +
      `${entry.attributed ?? 0} attributed, ${plural(entry.orphans ?? 0, 'orphan')}, ${plural(entry.findings ?? 0, 'finding')}` +
      (entry.blank_lines ? `, ${plural(entry.blank_lines, 'blank line')} skipped` : '') + '.' });
    const status = el('p', { class: 'page-status', 'aria-live': 'polite' });
    const previous = el('button', { type: 'button', text: 'Previous page', onclick: () => this.turnPage(-1) });
    const next = el('button', { type: 'button', text: 'Next page', onclick: () => this.turnPage(1) });
    const headRow = el('tr', {});
    const body = el('tbody', {});
    const table = el('table', { class: 'log-rows', 'aria-labelledby': 'log-heading' }, el('thead', {}, headRow), body);

    panel.replaceChildren(heading, facts,
      el('div', { class: 'log-controls' },
        el('label', { for: 'log-filter' }, 'Filter rows', filter),
        el('label', { for: 'log-show' }, 'Show', show)),
      el('div', { class: 'table-scroll' }, table),
      el('div', { class: 'pager' }, previous, status, next));
    this.parts = { ...this.parts, rows, columns, headRow, body, status, previous, next, filter, show };
  }

  turnPage(delta) {
    const page = Number.parseInt(this.getView().lpage, 10) || 1;
    this.setView({ lpage: String(page + delta), row: '' });
  }

  sortBy(key) {
    const view = this.getView();
    const direction = view.lsort === key && view.ldir === 'asc' ? 'desc' : 'asc';
    this.setView({ lsort: key, ldir: direction, lpage: '1' });
  }

  renderRows({ focusRow }) {
    const view = this.getView();
    const { rows, columns, headRow, body, status, previous, next, filter, show } = this.parts;
    if (filter.value !== view.lq) filter.value = view.lq;
    show.value = view.lshow in SHOW_OPTIONS ? view.lshow : 'all';

    const sortColumn = columns.find((column) => column.key === view.lsort) ?? columns[0];
    const direction = view.ldir === 'desc' ? -1 : 1;
    const visible = filterRows(rows, columns, view.lq, show.value)
      .sort((a, b) => compareValues(sortColumn.value(a), sortColumn.value(b), direction) || a.row - b.row);

    const ariaSort = direction === 1 ? 'ascending' : 'descending';
    const sortMark = direction === 1 ? ' ▲' : ' ▼';
    headRow.replaceChildren(...columns.map((column) => {
      const sorted = column === sortColumn;
      return el('th', { scope: 'col', 'aria-sort': sorted ? ariaSort : null },
        el('button', { type: 'button', class: 'sort-button', 'data-column': column.key, onclick: () => this.sortBy(column.key) },
          column.label, el('span', { class: 'sort-mark', 'aria-hidden': 'true', text: sorted ? sortMark : '' })));
    }));

    const pageCount = Math.max(1, Math.ceil(visible.length / PAGE_SIZE));
    let page = Math.min(Math.max(Number.parseInt(view.lpage, 10) || 1, 1), pageCount);
    const targetRow = Number.parseInt(view.row, 10);
    const targetIndex = visible.findIndex((row) => row.row === targetRow);
    if (targetIndex >= 0) page = Math.floor(targetIndex / PAGE_SIZE) + 1;
    const start = (page - 1) * PAGE_SIZE;
    const pageRows = visible.slice(start, start + PAGE_SIZE);

    body.replaceChildren(...pageRows.map((row) => logRow(row, columns, row.row === targetRow)));
    if (visible.length === 0) {
      body.append(el('tr', {}, el('td', { colspan: columns.length, class: 'empty', text: 'No row matches this filter.' })));
    }
    status.textContent = visible.length === 0
      ? `0 of ${plural(rows.length, 'row')}`
      : `Rows ${start + 1}–${start + pageRows.length} of ${visible.length}` +
        (visible.length < rows.length ? ` (filtered from ${rows.length})` : '') + `, page ${page} of ${pageCount}`;
    previous.disabled = page <= 1;
    next.disabled = page >= pageCount;

    if (focusRow) {
      const target = body.querySelector('tr.target') ?? this.container.querySelector('#log-heading');
      target?.scrollIntoView({ block: 'center' });
      target?.focus({ preventScroll: true });
    }
  }
}

// The table's columns: row and line numbers, the CSV's own columns, then the attribution.
function logColumns(fieldNames) {
  return [
    { key: 'row', label: 'Row', value: (row) => row.row },
    { key: 'line', label: 'Line', value: (row) => row.line },
    ...fieldNames.map((name) => ({ key: `field:${name}`, label: name, value: (row) => row.fields?.[name] ?? '' })),
    { key: 'training_id', label: 'Training', value: (row) => row.training_id ?? '' },
    { key: 'step_id', label: 'Step', value: (row) => row.step_id ?? row.skill_id ?? '' },
    { key: 'attribution', label: 'Attribution', value: attributionText },
    { key: 'findings', label: 'Findings', value: (row) => (row.findings ?? []).join(' ') },
  ];
}

function attributionText(row) {
  if (row.orphan_reason) {
    return `Orphan: ${humanize(row.orphan_reason)}` + (row.orphan_hint ? ` (did you mean ${row.orphan_hint}?)` : '');
  }
  if (row.attributed_by) return `by ${row.attributed_by} ${row.attributed_key ?? ''}`.trim();
  return '';
}

function filterRows(rows, columns, text, show) {
  const needle = text.trim().toLowerCase();
  return rows.filter((row) => {
    if (show === 'orphans' && !row.orphan_reason) return false;
    if (show === 'findings' && !(row.findings ?? []).length) return false;
    if (!needle) return true;
    return columns.some((column) => String(column.value(row) ?? '').toLowerCase().includes(needle));
  });
}

function logRow(row, columns, isTarget) {
  const classes = [row.orphan_reason ? 'orphan' : '', (row.findings ?? []).length ? 'has-findings' : '', isTarget ? 'target' : ''];
  return el('tr', { id: `log-row-${row.row}`, class: classes.filter(Boolean).join(' ') || null, 'data-row': row.row, tabindex: isTarget ? -1 : null },
    columns.map((column) => {
      if (column.key === 'attribution' && row.orphan_reason) {
        return el('td', {}, el('strong', { class: 'orphan-mark', text: 'Orphan' }), `: ${humanize(row.orphan_reason)}`,
          row.orphan_hint ? ` (did you mean ${row.orphan_hint}?)` : '');
      }
      if (column.key === 'findings' && (row.findings ?? []).length) {
        return el('td', {}, el('ul', { class: 'finding-list' }, row.findings.map((finding) => el('li', { text: finding }))));
      }
      const value = column.value(row);
      return el('td', { class: typeof value === 'number' ? 'number' : null, text: value ?? '' });
    }));
}
