/**
 * Query-parameter parsing and the JSON answers shared by the three mock
 * upstreams. A bad parameter is thrown as BadParameter and answered once, in
 * the shared app, as HTTP 400 naming the parameter, so that a connector's
 * mistake shows up as the parameter it got wrong.
 */

export class BadParameter extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('content-type', 'application/json; charset=utf-8');
  return new Response(JSON.stringify(body), { ...init, headers });
}

export function badRequest(error: BadParameter): Response {
  return json({ error: 'bad parameter', parameter: error.parameter, message: error.message }, { status: 400 });
}

export function notFound(path: string): Response {
  return json({ error: 'not found', path }, { status: 404 });
}

export function methodNotAllowed(allow: string): Response {
  return json({ error: 'method not allowed', allow }, { status: 405, headers: { allow } });
}

/** A parameter's text; an empty value counts as absent, as query strings built from blank fields send it. */
function text(url: URL, name: string): string | null {
  const value = url.searchParams.get(name);
  return value === null || value === '' ? null : value;
}

/** A whole-number parameter in [min, max]; `fallback` when absent, and required when there is none. */
export function intParam(url: URL, name: string, range: { min: number; max?: number; fallback?: number }): number {
  const value = text(url, name);
  if (value === null) {
    if (range.fallback !== undefined) return range.fallback;
    throw new BadParameter(name, `${name} is required`);
  }
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (!(n >= range.min && n <= (range.max ?? Infinity))) {
    const bounds = range.max === undefined ? `at least ${range.min}` : `from ${range.min} to ${range.max}`;
    throw new BadParameter(name, `${name} must be a whole number ${bounds}, not ${JSON.stringify(value)}`);
  }
  return n;
}

/** An optional parameter read by `parse`, which returns null for text it does not accept; `expected` says what is. */
export function optionalParam<T>(
  url: URL,
  name: string,
  parse: (text: string) => T | null,
  expected: string,
): T | null {
  const value = text(url, name);
  if (value === null) return null;
  const parsed = parse(value);
  if (parsed === null) throw new BadParameter(name, `${name} must be ${expected}, not ${JSON.stringify(value)}`);
  return parsed;
}
