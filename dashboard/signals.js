// Load JSON files from signals/ and turn each way of failing into a message a person can act on.

export const SIGNALS_DIR = 'signals/';
export const BUILD_COMMAND = 'trainer build';

export class SignalsError extends Error {
  // `kind` is 'missing' (HTTP 404), 'unreachable' (no response) or 'invalid' (not JSON).
  constructor(kind, path, message) {
    super(message);
    this.kind = kind;
    this.path = path;
  }
}

// Fetch signals/<relativePath> and parse it. Raises SignalsError.
export async function loadSignal(relativePath) {
  const path = SIGNALS_DIR + relativePath;
  let response;
  try {
    response = await fetch(path, { cache: 'no-store' });
  } catch (error) {
    throw new SignalsError('unreachable', path,
      `${path} could not be loaded (${error.message}). Open the dashboard with "trainer serve" ` +
      'and use the URL it prints, rather than opening index.html as a file.');
  }
  if (response.status === 404) {
    throw new SignalsError('missing', path, `${path} was not found. Run "${BUILD_COMMAND}" to write it.`);
  }
  if (!response.ok) {
    throw new SignalsError('unreachable', path, `${path} could not be loaded: HTTP ${response.status}.`);
  }
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SignalsError('invalid', path,
      `${path} could not be parsed as JSON (${error.message}). Run "${BUILD_COMMAND}" again to rewrite it.`);
  }
}

// Accept only a drilldown path the build writes, such as `funnel_logs/steps_df.json`, so an
// edited index.json cannot point the page at another folder.
export function isSafeSignalPath(path) {
  return typeof path === 'string' && /^[\w-]+(\/[\w.-]+)*\.json$/.test(path) &&
    !path.split('/').some((segment) => segment.startsWith('.'));
}
