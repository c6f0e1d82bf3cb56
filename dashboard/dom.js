// DOM, date and number helpers shared by the dashboard modules.
//
// Every string from the signals reaches the page through text nodes, textContent or
// setAttribute on a non-URL attribute, never through innerHTML, so a log value such as
// `<img src=x onerror=alert(1)>` is shown literally.

const SVG_NS = 'http://www.w3.org/2000/svg';
const DAY_MS = 86400000;

// Create an HTML element. `attributes` keys are attribute names, except `text`
// (textContent) and `on<event>` (a listener). Children may be nodes, strings or null.
export function el(tag, attributes = {}, ...children) {
  return fill(document.createElement(tag), attributes, children);
}

// Create an SVG element; same arguments as el().
export function svg(tag, attributes = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attributes, children);
}

function fill(node, attributes, children) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'text') {
      node.textContent = String(value);
    } else if (name.startsWith('on') && typeof value === 'function') {
      node.addEventListener(name.slice(2), value);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return node;
}

// Parse a `YYYY-MM-DD` string as a UTC day number. A local-time Date would move the day
// by one in time zones west of UTC, so dates never go through the browser's zone.
export function dayNumber(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text ?? '');
  if (!match) return null;
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / DAY_MS;
}

// Format a UTC day number back to `YYYY-MM-DD`.
export function dayText(number) {
  return new Date(number * DAY_MS).toISOString().slice(0, 10);
}

// Describe how far `date` lies before `asOf` (both `YYYY-MM-DD`), e.g. "3 days ago".
export function describeAge(date, asOf) {
  const from = dayNumber(date);
  const to = dayNumber(asOf);
  if (from === null || to === null) return '';
  return describeDays(to - from);
}

export function describeDays(days) {
  if (days === null || days === undefined || Number.isNaN(days)) return '';
  if (days === 0) return 'on the as-of date';
  if (days < 0) return `${plural(-days, 'day')} after the as-of date`;
  return `${plural(days, 'day')} ago`;
}

// Format `2026-12-04T20:48:03Z` as `2026-12-04 20:48 UTC`, keeping the written values.
export function formatTimestamp(text) {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?Z$/.exec(text ?? '');
  return match ? `${match[1]} ${match[2]} UTC` : String(text ?? 'unknown');
}

export function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

// Show a percentage as the signals store it: 66.67 stays 66.67 and 40.0 shows as 40.
export function formatPercent(value) {
  const number = Number(value);
  return Number.isFinite(number) ? `${number}%` : 'n/a';
}

// Turn a snake_case code such as `unknown_step` into words for display.
export function humanize(code) {
  return String(code ?? '').replaceAll('_', ' ');
}

// Compare two values for sorting: numbers by value, text by locale with digits as numbers.
// `direction` is 1 (ascending) or -1 (descending); empty values come last either way.
export function compareValues(a, b, direction = 1) {
  const emptyA = a === null || a === undefined || a === '';
  const emptyB = b === null || b === undefined || b === '';
  if (emptyA && emptyB) return 0;
  if (emptyA) return 1;
  if (emptyB) return -1;
  if (typeof a === 'number' && typeof b === 'number') return direction * (a - b);
  return direction * String(a).localeCompare(String(b), 'en', { numeric: true, sensitivity: 'base' });
}
