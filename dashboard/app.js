// Entry point of the dashboard: loads signals/funnel_progress.json, then draws the summary,
// the attention panel, the activity chart, the training cards and the log viewer.

import { renderAttention, summarizeAttention } from './attention.js';
import { renderActivity } from './chart.js';
import { compareValues, describeAge, describeDays, el, formatPercent, formatTimestamp, humanize, plural } from './dom.js';
import { LogViewer } from './logs.js';
import { BUILD_COMMAND, loadSignal, SignalsError } from './signals.js';
import { queryFor, readView, writeView } from './view.js';

const STATUSES = {
  completed: 'Completed',
  in_progress: 'In progress',
  cooled: 'Cooled',
  not_started: 'Not started',
};
const SORTS = {
  last_activity: 'Last activity, newest first',
  percent: 'Percent complete, highest first',
  title: 'Title, A to Z',
};

let view = readView();
let logViewer = null;
let cards = [];

function setView(changes, options = {}) {
  view = { ...view, ...changes };
  writeView(view, options);
  applyFilters();
  logViewer?.update();
}

async function start() {
  let progress;
  try {
    progress = await loadSignal('funnel_progress.json');
  } catch (error) {
    if (!(error instanceof SignalsError)) throw error;
    showLoadError(error);
    return;
  }
  if (!progress || typeof progress !== 'object' || typeof progress.trainings !== 'object') {
    showLoadError(new SignalsError('invalid', 'signals/funnel_progress.json',
      `signals/funnel_progress.json has no "trainings" object. Run "${BUILD_COMMAND}" again to rewrite it.`));
    return;
  }

  renderHeader(progress);
  const issueCount = renderAttention(document.getElementById('attention-body'), progress, linkToRow);
  document.getElementById('attention-heading').textContent = `Needs attention (${issueCount})`;
  renderActivity(document.getElementById('activity-body'), progress.weekly_activity);
  renderTrainings(progress);

  logViewer = new LogViewer(document.getElementById('logs-body'), () => view, setView);
  await logViewer.loadIndex();
  await logViewer.update({ focusRow: Boolean(view.row) });
  // Tests and screenshots wait for this class: every part of the page has been drawn.
  document.body.classList.add('loaded');
  window.addEventListener('popstate', () => {
    view = readView();
    syncControls();
    applyFilters();
    logViewer.update({ focusRow: Boolean(view.row) });
  });
}

function showLoadError(error) {
  const status = document.getElementById('load-status');
  status.replaceChildren(
    el('strong', { text: error.kind === 'missing' ? 'No signals yet. ' : 'The signals cannot be shown. ' }),
    error.message);
  status.classList.add('error');
  status.setAttribute('role', 'alert');
  if (error.kind === 'missing') {
    status.append(' ', el('span', { text: 'In the project folder, run ' }), el('code', { text: BUILD_COMMAND }),
      el('span', { text: ', then reload this page.' }));
  }
  document.body.classList.add('no-signals');
}

// The header: as-of date, generated time and the summary counts.
function renderHeader(progress) {
  const summary = progress.summary ?? {};
  const byStatus = summary.trainings_by_status ?? {};
  const stat = (key, label, value, detail) => el('div', { class: 'stat', 'data-stat': key },
    el('dt', { text: label }), el('dd', {}, el('span', { class: 'stat-value', text: value }), detail ? el('span', { class: 'stat-detail', text: detail }) : null));

  document.getElementById('load-status').replaceChildren(
    'As of ', el('time', { datetime: progress.as_of, class: 'as-of', text: progress.as_of ?? 'unknown date' }),
    ` for ${progress.learner ?? 'unknown learner'}; signals generated `,
    el('time', { datetime: progress.generated_at, class: 'generated-at', text: formatTimestamp(progress.generated_at) }), '.');

  const stats = el('dl', { class: 'stats' },
    stat('steps', 'Steps completed', `${summary.steps_completed ?? 0} of ${summary.steps_total ?? 0}`, formatPercent(summary.percent_complete)),
    stat('trainings', 'Trainings', summary.trainings ?? Object.keys(progress.trainings).length, null),
    ...Object.entries(STATUSES).map(([status, label]) => stat(`status-${status}`, label, byStatus[status] ?? 0, null)),
    stat('orphans', 'Orphan rows', summary.orphans ?? 0, `of ${plural(summary.rows_read ?? 0, 'row')} read`),
    stat('findings', 'Findings', summary.findings ?? 0, null));
  document.getElementById('summary-body').replaceChildren(stats,
    el('p', { class: 'attention-line' }, summarizeAttention(summary.orphans ?? 0, summary.findings ?? 0), ' ',
      el('a', { href: '#attention', text: 'See what needs attention' })));
}

// A link to data row `row` of `file`, labelled with its line in the file. The URL keeps the
// row, which the drilldown uses as its key.
function linkToRow(file, row, line) {
  const target = { ...view, log: file, row: String(row), lq: '', lshow: 'all', lpage: '1' };
  return el('a', {
    href: `${queryFor(target)}#log-row-${row}`,
    class: 'row-link',
    'aria-label': `Line ${line} of ${file}`,
    text: String(line),
    onclick: (event) => {
      event.preventDefault();
      view = { ...view, log: file, row: String(row), lq: '', lshow: 'all', lpage: '1' };
      writeView(view, { push: true, hash: `#log-row-${row}` });
      logViewer?.update({ focusRow: true });
    },
  });
}

function renderTrainings(progress) {
  const trainings = Object.values(progress.trainings);
  const skillLabels = progress.skills ?? {};
  const skills = [...new Set(trainings.flatMap((training) => training.skills ?? []))].sort(compareValues);
  const statusSelect = document.getElementById('filter-status');
  statusSelect.replaceChildren(el('option', { value: '', text: `All statuses (${trainings.length})` }),
    ...Object.entries(STATUSES).map(([status, label]) => el('option', {
      value: status, text: `${label} (${trainings.filter((training) => training.status === status).length})`,
    })));
  const skillSelect = document.getElementById('filter-skill');
  skillSelect.replaceChildren(el('option', { value: '', text: 'All skills' }),
    ...skills.map((skill) => el('option', { value: skill, text: skillLabels[skill] ?? skill })));
  const sortSelect = document.getElementById('sort');
  sortSelect.replaceChildren(...Object.entries(SORTS).map(([value, label]) => el('option', { value, text: label })));

  statusSelect.addEventListener('change', () => setView({ status: statusSelect.value }));
  skillSelect.addEventListener('change', () => setView({ skill: skillSelect.value }));
  sortSelect.addEventListener('change', () => setView({ sort: sortSelect.value }));
  const search = document.getElementById('search');
  search.addEventListener('input', () => setView({ q: search.value }));
  // Filters apply as they change; Enter in the search box must not reload the page.
  document.getElementById('filters').addEventListener('submit', (event) => event.preventDefault());
  document.getElementById('reset-filters').addEventListener('click', () => setView({ status: '', skill: '', q: '', sort: 'last_activity' }));

  cards = trainings.map((training) => ({ training, node: trainingCard(training, progress.as_of, skillLabels) }));
  if (cards.length === 0) {
    document.getElementById('training-count').textContent = 'The funnel spec lists no trainings.';
    return;
  }
  syncControls();
  applyFilters();
}

function syncControls() {
  document.getElementById('filter-status').value = view.status in STATUSES ? view.status : '';
  document.getElementById('filter-skill').value = view.skill;
  if (document.getElementById('filter-skill').value !== view.skill) document.getElementById('filter-skill').value = '';
  document.getElementById('sort').value = view.sort in SORTS ? view.sort : 'last_activity';
  const search = document.getElementById('search');
  if (search.value !== view.q) search.value = view.q;
}

function matchesSearch(training, needle) {
  if (!needle) return true;
  const texts = [training.id, training.title, ...(training.steps ?? []).flatMap((step) => [step.id, step.title])];
  return texts.some((text) => String(text ?? '').toLowerCase().includes(needle));
}

const SORT_ORDER = {
  last_activity: (a, b) => compareValues(a.last_activity, b.last_activity, -1),
  percent: (a, b) => compareValues(a.percent_complete, b.percent_complete, -1),
  title: () => 0,
};

// Show the cards that pass the filters, in the chosen order. Cards are moved, not redrawn,
// so an opened steps list stays open.
function applyFilters() {
  const list = document.getElementById('training-list');
  if (cards.length === 0) return;
  const needle = view.q.trim().toLowerCase();
  const order = SORT_ORDER[view.sort] ?? SORT_ORDER.last_activity;
  const sorted = [...cards].sort((a, b) => order(a.training, b.training) ||
    compareValues(a.training.title, b.training.title) || compareValues(a.training.id, b.training.id));
  let shown = 0;
  for (const card of sorted) {
    const training = card.training;
    const visible = (!view.status || training.status === view.status) &&
      (!view.skill || (training.skills ?? []).includes(view.skill)) && matchesSearch(training, needle);
    card.node.hidden = !visible;
    if (visible) shown += 1;
    list.append(card.node);
  }
  document.getElementById('training-count').textContent = shown === cards.length
    ? `Showing all ${plural(cards.length, 'training')}.`
    : `Showing ${shown} of ${plural(cards.length, 'training')}.`;
  document.getElementById('no-match').hidden = shown !== 0;
}

function statusChip(status) {
  const known = status in STATUSES;
  return el('span', { class: `chip chip-${known ? status : 'unknown'}`, 'data-status': status, text: known ? STATUSES[status] : humanize(status ?? 'unknown') });
}

function trainingCard(training, asOf, skillLabels = {}) {
  const headingId = `training-${training.id}`;
  const steps = Array.isArray(training.steps) ? [...training.steps].sort((a, b) => (a.position ?? 0) - (b.position ?? 0)) : [];
  const percent = Number(training.percent_complete) || 0;
  const stepCount = `${training.steps_completed ?? 0} of ${plural(training.steps_total ?? 0, 'step')}`;
  const bar = el('div', { class: 'progress-fill' });
  bar.style.width = `${Math.min(Math.max(percent, 0), 100)}%`;

  return el('li', { class: 'card', 'data-training-id': training.id },
    el('article', { 'aria-labelledby': headingId },
      el('div', { class: 'card-head' },
        el('h3', { id: headingId, class: 'card-title', text: training.title ?? training.id }),
        statusChip(training.status)),
      el('p', { class: 'card-meta' },
        el('span', { class: 'provider', text: training.provider ?? 'No provider' }), ' · ',
        el('code', { class: 'training-id', text: training.id })),
      (training.skills ?? []).length
        ? el('ul', { class: 'skills', 'aria-label': 'Skills' }, training.skills.map((skill) => el('li', { text: skillLabels[skill] ?? skill, title: skill })))
        : null,
      el('div', {
        class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': percent,
        'aria-label': `Progress of ${training.title ?? training.id}`,
      }, bar),
      el('p', { class: 'progress-text' },
        el('strong', { class: 'percent', text: formatPercent(training.percent_complete) }), ' · ',
        el('span', { class: 'step-count', text: stepCount })),
      lastActivity(training, asOf),
      training.logged_status && training.logged_status !== training.status
        ? el('p', { class: 'logged-status', text: `Logged status: ${humanize(training.logged_status)}.` })
        : null,
      training.notes ? el('p', { class: 'notes', text: training.notes }) : null,
      stepList(steps, asOf)));
}

function lastActivity(training, asOf) {
  if (!training.last_activity) return el('p', { class: 'last-activity', text: 'No activity logged yet.' });
  const age = training.days_since_activity ?? null;
  return el('p', { class: 'last-activity' }, 'Last activity ',
    el('time', { datetime: training.last_activity, text: training.last_activity }), ' ',
    el('span', { class: 'age', text: `(${age === null ? describeAge(training.last_activity, asOf) : describeDays(age)})` }));
}

function stepList(steps, asOf) {
  if (steps.length === 0) {
    return el('p', { class: 'no-steps', text: 'No steps in the funnel spec: this training counts as 100% only when the training log marks it completed.' });
  }
  const done = steps.filter((step) => step.completed).length;
  return el('details', { class: 'steps' },
    el('summary', { text: `Steps (${done} of ${steps.length} done)` }),
    el('ol', { class: 'step-list' }, steps.map((step) => el('li', { class: step.completed ? 'step done' : 'step', 'data-step-id': step.id },
      el('span', { class: 'step-state', text: step.completed ? '✓ Done' : '○ Not done' }),
      el('span', { class: 'step-title', text: step.title ?? step.id }),
      el('span', { class: 'step-meta' },
        el('code', { text: step.id }),
        ` · ${step.last_activity ? `last activity ${step.last_activity} (${describeAge(step.last_activity, asOf)})` : 'no activity'}`,
        ` · ${step.chapters_completed ?? 0} of ${step.chapters_logged ?? 0} logged chapters done`)))));
}

start().catch((error) => {
  showLoadError(new SignalsError('invalid', 'signals/', `The dashboard failed: ${error.message}`));
  throw error;
});
