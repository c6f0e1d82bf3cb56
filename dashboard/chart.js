// The activity chart: completed steps and chapters per week as bars, and the steps completed
// to date as a line, drawn as inline SVG from `weekly_activity` in funnel_progress.json.

import { dayNumber, dayText, el, plural, svg } from './dom.js';

const HEIGHT = 300;
const MARGIN = { top: 20, right: 52, bottom: 56, left: 52 };
const PLOT_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;
const MIN_WIDTH = 300;
// Horizontal room each week label needs, in pixels; with less, only every n-th week is labelled.
const WEEK_LABEL_WIDTH = 48;

// Render the chart into `container`, sized to its width so labels keep their font size on a
// phone, and draw it again when that width changes. `weeks` is the weekly_activity array.
export function renderActivity(container, weeks) {
  let drawnWidth = null;
  const draw = () => {
    const width = Math.max(MIN_WIDTH, Math.floor(container.clientWidth));
    if (width === drawnWidth) return;
    drawnWidth = width;
    drawActivity(container, weeks, width);
  };
  draw();
  new ResizeObserver(() => window.requestAnimationFrame(draw)).observe(container);
}

function drawActivity(container, weeks, width) {
  container.replaceChildren();
  const entries = (Array.isArray(weeks) ? weeks : [])
    .filter((week) => dayNumber(week.week_start) !== null)
    .sort((a, b) => dayNumber(a.week_start) - dayNumber(b.week_start));
  if (entries.length === 0) {
    container.append(el('p', { class: 'empty', text: 'No completed steps or chapters with a valid date yet.' }));
    return;
  }

  const plotWidth = width - MARGIN.left - MARGIN.right;
  const slots = weekSlots(entries);
  const countAxis = axisScale(Math.max(...entries.map((week) => Math.max(week.steps_completed ?? 0, week.chapters_completed ?? 0))));
  const totalAxis = axisScale(Math.max(...entries.map((week) => week.steps_completed_to_date ?? 0)));
  const slotWidth = plotWidth / slots.length;
  const barWidth = Math.min(28, slotWidth * 0.36);
  const yCount = (value) => MARGIN.top + PLOT_HEIGHT - (value / countAxis.max) * PLOT_HEIGHT;
  const yTotal = (value) => MARGIN.top + PLOT_HEIGHT - (value / totalAxis.max) * PLOT_HEIGHT;
  const xCenter = (index) => MARGIN.left + slotWidth * (index + 0.5);
  const labelEvery = Math.max(1, Math.ceil(slots.length / Math.max(1, Math.floor(plotWidth / WEEK_LABEL_WIDTH))));

  const tooltip = el('div', { class: 'chart-tooltip', role: 'status', hidden: true });
  const chart = svg('svg', {
    class: 'activity-chart',
    width,
    height: HEIGHT,
    viewBox: `0 0 ${width} ${HEIGHT}`,
    role: 'group',
    'aria-label': `Completed steps and chapters per week, ${plural(entries.length, 'week')} with activity`,
  },
  svg('defs', {},
    svg('pattern', { id: 'chapters-hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      svg('rect', { width: 6, height: 6, class: 'hatch-background' }),
      svg('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'hatch-line' }))),
  axes(width, countAxis, totalAxis, yCount, yTotal),
  weekLabels(slots, xCenter, labelEvery),
  ...slots.map((slot, index) => slot.entry && weekBars(slot.entry, xCenter(index), barWidth, slotWidth, yCount, tooltip)),
  totalLine(slots, xCenter, yTotal));

  container.append(legend(), el('div', { class: 'chart-frame' }, chart, tooltip), dataTable(entries));
}

// Make one slot per calendar week from the first to the last week with activity. Weeks
// without activity keep their place on the time axis but get no bar.
function weekSlots(entries) {
  const byDay = new Map(entries.map((week) => [dayNumber(week.week_start), week]));
  const first = dayNumber(entries[0].week_start);
  const last = dayNumber(entries[entries.length - 1].week_start);
  const slots = [];
  let toDate = 0;
  for (let day = first; day <= last; day += 7) {
    const entry = byDay.get(day) ?? null;
    if (entry) toDate = entry.steps_completed_to_date ?? toDate;
    slots.push({ day, entry, toDate });
  }
  return slots;
}

// Pick a tick step of 1, 2 or 5 times a power of ten (never below 1, since the values are
// counts) that gives at most 5 intervals, and round the axis maximum up to a whole step.
function axisScale(value) {
  const target = Math.max(value, 1) / 5;
  const power = 10 ** Math.floor(Math.log10(target));
  const step = Math.max(1, [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= target));
  return { step, max: step * Math.max(1, Math.ceil(value / step)) };
}

function axes(width, countAxis, totalAxis, yCount, yTotal) {
  const group = svg('g', { class: 'axes', 'aria-hidden': 'true' });
  const right = width - MARGIN.right;
  for (let count = 0; count <= countAxis.max; count += countAxis.step) {
    group.append(
      svg('line', { class: 'grid-line', x1: MARGIN.left, x2: right, y1: yCount(count), y2: yCount(count) }),
      svg('text', { class: 'tick', x: MARGIN.left - 6, y: yCount(count) + 4, 'text-anchor': 'end', text: count }),
    );
  }
  for (let total = 0; total <= totalAxis.max; total += totalAxis.step) {
    group.append(svg('text', { class: 'tick tick-total', x: right + 6, y: yTotal(total) + 4, text: total }));
  }
  const middle = MARGIN.top + PLOT_HEIGHT / 2;
  group.append(
    svg('line', { class: 'axis-line', x1: MARGIN.left, x2: right, y1: MARGIN.top + PLOT_HEIGHT, y2: MARGIN.top + PLOT_HEIGHT }),
    svg('text', { class: 'axis-title', transform: `translate(14 ${middle}) rotate(-90)`, 'text-anchor': 'middle', text: 'Completed per week' }),
    svg('text', { class: 'axis-title', transform: `translate(${width - 10} ${middle}) rotate(90)`, 'text-anchor': 'middle', text: 'Steps completed to date' }),
    svg('text', { class: 'axis-title', x: MARGIN.left + (right - MARGIN.left) / 2, y: HEIGHT - 8, 'text-anchor': 'middle', text: 'Week starting (month-day)' }),
  );
  return group;
}

function weekLabels(slots, xCenter, every) {
  const group = svg('g', { class: 'week-labels', 'aria-hidden': 'true' });
  slots.forEach((slot, index) => {
    if (index % every !== 0) return;
    group.append(svg('text', {
      class: 'tick', x: xCenter(index), y: MARGIN.top + PLOT_HEIGHT + 18, 'text-anchor': 'middle',
      text: dayText(slot.day).slice(5),
    }));
  });
  return group;
}

function describeWeek(week) {
  return `Week of ${week.week_start}: ${plural(week.steps_completed ?? 0, 'step')} and ` +
    `${plural(week.chapters_completed ?? 0, 'chapter')} completed; ` +
    `${plural(week.steps_completed_to_date ?? 0, 'step')} completed to date`;
}

// One focusable group per week with activity: a steps bar, a chapters bar and an invisible
// full-height target that widens the hover area and shows the focus ring.
function weekBars(week, x, barWidth, slotWidth, yCount, tooltip) {
  const base = MARGIN.top + PLOT_HEIGHT;
  const steps = week.steps_completed ?? 0;
  const chapters = week.chapters_completed ?? 0;
  const description = describeWeek(week);
  const show = (event) => showTooltip(tooltip, event.currentTarget, description);
  const hide = () => { tooltip.hidden = true; };
  return svg('g', {
    class: 'week', tabindex: 0, role: 'img', 'aria-label': description,
    'data-week': week.week_start, 'data-steps': steps, 'data-chapters': chapters,
    onmouseenter: show, onfocus: show, onmouseleave: hide, onblur: hide,
  },
  svg('rect', { class: 'week-target', x: x - slotWidth / 2 + 2, y: MARGIN.top, width: slotWidth - 4, height: PLOT_HEIGHT }),
  svg('rect', { class: 'bar bar-steps', x: x - barWidth - 1, y: yCount(steps), width: barWidth, height: base - yCount(steps) }),
  svg('rect', { class: 'bar bar-chapters', x: x + 1, y: yCount(chapters), width: barWidth, height: base - yCount(chapters) }));
}

function showTooltip(tooltip, target, text) {
  tooltip.textContent = text;
  tooltip.hidden = false;
  const frame = tooltip.parentElement.getBoundingClientRect();
  const box = target.getBoundingClientRect();
  const left = Math.min(Math.max(box.left + box.width / 2 - frame.left, 90), frame.width - 90);
  tooltip.style.left = `${left}px`;
  tooltip.style.top = `${Math.max(box.top - frame.top, 0)}px`;
}

function totalLine(slots, xCenter, yTotal) {
  const points = slots.map((slot, index) => `${xCenter(index)},${yTotal(slot.toDate)}`).join(' ');
  return svg('g', { class: 'total', 'aria-hidden': 'true' },
    svg('polyline', { class: 'total-line', points }),
    ...slots.map((slot, index) => svg('circle', { class: 'total-point', cx: xCenter(index), cy: yTotal(slot.toDate), r: 3.5 })));
}

function legend() {
  const item = (swatchClass, label) => el('li', {}, el('span', { class: `swatch ${swatchClass}`, 'aria-hidden': 'true' }), label);
  return el('ul', { class: 'chart-legend' },
    item('swatch-steps', 'Steps completed (solid bar)'),
    item('swatch-chapters', 'Chapters completed (striped bar)'),
    item('swatch-total', 'Steps completed to date (line, right axis)'));
}

// The same numbers as a table, for screen readers and for copying.
function dataTable(entries) {
  return el('details', { class: 'chart-table' },
    el('summary', { text: 'Show the numbers as a table' }),
    el('div', { class: 'table-scroll' },
      el('table', {},
        el('thead', {}, el('tr', {},
          el('th', { scope: 'col', text: 'Week starting' }),
          el('th', { scope: 'col', text: 'Steps completed' }),
          el('th', { scope: 'col', text: 'Chapters completed' }),
          el('th', { scope: 'col', text: 'Steps to date' }))),
        el('tbody', {}, entries.map((week) => el('tr', {},
          el('th', { scope: 'row', text: week.week_start }),
          el('td', { class: 'number', text: week.steps_completed ?? 0 }),
          el('td', { class: 'number', text: week.chapters_completed ?? 0 }),
          el('td', { class: 'number', text: week.steps_completed_to_date ?? 0 })))))));
}
