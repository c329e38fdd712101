/**
 * The dashboard's GraphQL client: queries over POST, subscriptions over GraphQL over SSE (Yoga's distinct-connections
 * format, served by gateway/transports/sse/: one HTTP response per subscription, `text/event-stream`). Read with
 * fetch, not EventSource: in production the hub wants `Authorization: Bearer <key>` and EventSource cannot send
 * headers, so the stream's `event:` / `data:` lines are parsed here (see readEvents). A reconnect loop, because a wall
 * stays up for days through hub restarts and network blips: after a drop the subscription is sent again with the last
 * eventId it delivered as `lastEventId`, and the hub replays what was published meanwhile (within its retention
 * window), so nothing is missed.
 */

/** Raised for an HTTP 401: the hub wants a (valid) API key. */
export class Unauthorized extends Error {}

/** Raised when the hub answered with GraphQL errors and no data. */
export class GraphQLRequestError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join('; '));
    this.errors = errors;
  }
}

/** Backoff between reconnects: 1 s, 2 s, 4 s … up to 30 s, with jitter so a wall of screens does not reconnect in step. */
export function reconnectDelay(attempt) {
  const base = Math.min(30_000, 1_000 * 2 ** attempt);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/**
 * No byte for this long means a dead connection (a proxy that swallowed the
 * close): the hub sends a ":" comment every 12 s (as Yoga does), so 45 s is three missed pings.
 */
const SILENCE_LIMIT_MS = 45_000;

/** How long a new stream must stand without failing to count as open (see subscribe). */
const SETTLE_MS = 1_000;

/**
 * The events of a `text/event-stream` body, as `{ event, data, id }`.
 * An event is a block of lines ended by a blank line; `field: value` lines,
 * several `data:` lines joined with "\n"; a line starting with ":" is a
 * comment (Yoga's keep-alive ping). `onBytes` is called for every chunk, pings
 * included, so the caller can tell a quiet stream from a dead one.
 */
export async function* readEvents(body, onBytes = () => {}) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let carry = ''; // a CR that ended the last chunk: maybe half of a CRLF split across two reads
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      onBytes();
      // Normalise line ends: the format allows CRLF, CR and LF. A CR at the very end waits for the next
      // chunk, which tells whether it was a line end of its own or the first half of a CRLF.
      let text = carry + decoder.decode(value, { stream: true });
      carry = text.endsWith('\r') ? '\r' : '';
      if (carry) text = text.slice(0, -1);
      buffer += text.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const message = { event: 'message', data: '', id: null };
        const data = [];
        for (const line of block.split('\n')) {
          if (line === '' || line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          // One optional space after the colon belongs to the syntax, not the value.
          const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'data') data.push(value);
          else if (field === 'event') message.event = value;
          else if (field === 'id') message.id = value;
        }
        if (data.length === 0 && message.event === 'message') continue; // a block of comments only
        message.data = data.join('\n');
        yield message;
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * A client for the hub at `endpoint`. `auth` keeps the API key and is told
 * when the hub refuses one: `{ key(): string | null, unauthorized(): void,
 * changed(): Promise<void> }` (the last resolves when a new key is entered).
 */
export function createClient({ endpoint = '/graphql', auth }) {
  function headers(accept) {
    const key = auth.key();
    return {
      accept,
      'content-type': 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    };
  }

  /** One query; resolves with `data`, rejects with Unauthorized or GraphQLRequestError. */
  async function query(document, variables = {}, signal) {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: headers('application/graphql-response+json, application/json'),
      body: JSON.stringify({ query: document, variables }),
      signal,
    });
    if (response.status === 401) {
      auth.unauthorized();
      throw new Unauthorized('the hub wants an API key');
    }
    const payload = await response.json().catch(() => null);
    if (!payload) throw new Error(`HTTP ${response.status}`);
    if (payload.errors?.length && !payload.data) throw new GraphQLRequestError(payload.errors);
    return payload.data;
  }

  /**
   * Keeps a subscription open until `close()`: `field` is the root field
   * whose value carries `eventId`; `onData(value)` gets each event once, in
   * order; `onState(state, detail)` hears 'connecting', 'open', 'retrying'
   * (detail: ms until the next try), 'interrupted' (the hub's pubsub is down:
   * events follow when it is back), 'unauthorized' and 'error' (detail: the
   * error) so the page can show the connection's health; `onExpired()` when
   * the events missed during a drop are past the hub's retention window and
   * the subscription starts again without them (reread the state).
   */
  function subscribe({ query: document, variables, field, onData, onState = () => {}, onExpired = () => {} }) {
    const stop = new AbortController();
    let lastEventId = null;
    let attempt = 0;

    /** The key was refused: wait for another, then true (try it at once). */
    async function unauthorized() {
      onState('unauthorized');
      auth.unauthorized();
      await Promise.race([
        auth.changed(),
        new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true })),
      ]);
      attempt = 0;
      return true;
    }

    /** One connection, until it ends; true when the next one should start without waiting. */
    async function once() {
      const connection = new AbortController();
      const abort = () => connection.abort();
      stop.signal.addEventListener('abort', abort, { once: true });
      let silence;
      let settling;
      let opened = false;
      const open = () => {
        clearTimeout(settling);
        if (!opened) onState('open');
        opened = true;
      };
      const heard = () => {
        clearTimeout(silence);
        silence = setTimeout(abort, SILENCE_LIMIT_MS);
      };
      try {
        onState('connecting');
        heard();
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: headers('text/event-stream'),
          body: JSON.stringify({ query: document, variables: { ...variables, lastEventId } }),
          signal: connection.signal,
        });
        if (response.status === 401) return await unauthorized();
        if (!response.ok || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
          throw new Error(`HTTP ${response.status}`);
        }
        // A refused subscription also answers 200 with a stream (its errors, then complete), at once: call the
        // connection open on its first event, or once it has stood for a moment without failing.
        settling = setTimeout(open, SETTLE_MS);
        for await (const message of readEvents(response.body, heard)) {
          if (message.event === 'complete') break;
          if (message.event !== 'next') continue;
          const payload = JSON.parse(message.data);
          // A notice that the hub's pubsub stopped or resumed delivery: the stream goes on. Resumed without the
          // events missed meanwhile: reconnect at once with lastEventId to read them.
          const notice = payload.errors?.find((e) => e.extensions?.code?.startsWith('LIVE_DELIVERY_'));
          if (notice) {
            if (notice.extensions.code === 'LIVE_DELIVERY_INTERRUPTED') {
              onState('interrupted');
              continue;
            }
            if (notice.extensions.missedEventsDelivered === false) return true;
            opened = false; // so that open() says 'open' again
            open();
            continue;
          }
          // A refused key comes in the stream (a POSTed refusal is answered 200, as graphql-sse needs to read it).
          if (payload.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) return await unauthorized();
          // Errors without data refuse the subscription (bad arguments, a missing scope): worth showing, not looping on fast.
          if (payload.errors?.length && !payload.data?.[field]) throw new GraphQLRequestError(payload.errors);
          const value = payload.data?.[field];
          if (!value) continue;
          if (value.eventId) lastEventId = value.eventId;
          attempt = 0; // a delivered event proves the connection: the next drop starts the backoff over
          open();
          onData(value);
        }
      } finally {
        clearTimeout(silence);
        clearTimeout(settling);
        stop.signal.removeEventListener('abort', abort);
      }
    }

    (async () => {
      while (!stop.signal.aborted) {
        try {
          if (await once()) continue;
        } catch (error) {
          if (stop.signal.aborted) return;
          // The hub no longer holds the events after lastEventId: replaying would leave a hole. Start afresh
          // and let the page read the current state again instead.
          if (
            error instanceof GraphQLRequestError &&
            error.errors.some((e) => e.extensions?.code === 'CATCH_UP_EXPIRED')
          ) {
            lastEventId = null;
            onExpired();
            continue;
          }
          onState('error', error);
        }
        if (stop.signal.aborted) return;
        const delay = reconnectDelay(attempt++);
        onState('retrying', delay);
        await sleep(delay, stop.signal);
      }
    })();

    return { close: () => stop.abort() };
  }

  return { query, subscribe };
}
