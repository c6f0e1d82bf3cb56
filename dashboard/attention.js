// The "Needs attention" panel: orphan rows, findings and build warnings, each row linking to
// its place in the log drilldown.

import { el, humanize, plural } from './dom.js';

// Render the panel into `container`. `linkToRow(file, row, line)` returns an <a> to that log
// row whose text is the line in the file, the number the CLI and an editor show.
export function renderAttention(container, progress, linkToRow) {
  const orphans = Array.isArray(progress.orphans) ? progress.orphans : [];
  const findings = Array.isArray(progress.findings) ? progress.findings : [];
  const warnings = Array.isArray(progress.warnings) ? progress.warnings : [];

  container.replaceChildren(
    el('h3', { id: 'orphans-heading', text: `Orphan rows (${orphans.length})` }),
    orphans.length === 0
      ? el('p', { class: 'all-clear', text: 'None: every data row was attributed to a training, step or skill.' })
      : issueTable('orphans', 'orphans-heading', ['File', 'Line', 'Id', 'Reason'], orphans.map((orphan) => [
        orphan.source_file,
        linkToRow(orphan.source_file, orphan.row, orphan.line),
        orphan.id ?? '(empty)',
        orphan.hint ? `${humanize(orphan.reason)} (did you mean ${orphan.hint}?)` : humanize(orphan.reason),
      ])),
    el('h3', { id: 'findings-heading', text: `Findings (${findings.length})` }),
    findings.length === 0
      ? el('p', { class: 'all-clear', text: 'None: no row has a bad date, flag, status or a conflicting value.' })
      : issueTable('findings', 'findings-heading', ['File', 'Line', 'Kind', 'Detail'], findings.map((finding) => [
        finding.source_file,
        linkToRow(finding.source_file, finding.row, finding.line),
        humanize(finding.kind),
        finding.detail ?? '',
      ])),
    warnings.length === 0 ? null : el('h3', { text: `Build warnings (${warnings.length})` }),
    warnings.length === 0 ? null : el('ul', { class: 'warnings' },
      warnings.map((warning) => el('li', { text: warning.message ?? JSON.stringify(warning) }))),
  );
  return orphans.length + findings.length;
}

function issueTable(name, headingId, headers, rows) {
  return el('div', { class: 'table-scroll' },
    el('table', { class: `issues issues-${name} stacked`, 'aria-labelledby': headingId },
      el('thead', {}, el('tr', {}, headers.map((header) => el('th', { scope: 'col', text: header })))),
      el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((cell, index) => el('td', { 'data-label': headers[index] }, cell)))))));
}

export function summarizeAttention(orphanCount, findingCount) {
  if (orphanCount === 0 && findingCount === 0) return 'Nothing to fix in the logs.';
  return `${plural(orphanCount, 'orphan row')} and ${plural(findingCount, 'finding')} to check in the logs.`;
}
