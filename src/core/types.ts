/** Header values as Node gives them: lowercase names, repeated headers as arrays. */
export type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** What every adapter hands the core: the request exactly as received. */
export interface WebhookRequest {
  method: string;
  /** Path + query exactly as received, including any mount prefix (Express `originalUrl`). */
  url: string;
  /** Path below the switchboard mount point, used for routing (`/sinch/conversation`). */
  routePath: string;
  headers: Headers;
  rawBody: Buffer;
  /** Epoch milliseconds when the request arrived (from the injected clock). */
  receivedAt: number;
}

export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Epoch milliseconds. Injected so tests can pin time and vectors with old timestamps verify. */
export type Clock = () => number;

type LogFn = {
  (obj: object, msg?: string): void;
  (msg: string): void;
};

/** The subset of pino's API we call; pino, console-like wrappers and our silent default all fit. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const noop = (): void => {};
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** First value of a header, as the providers' SDKs do for repeated headers. */
export function headerValue(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): WebhookResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

export function emptyResponse(status = 200): WebhookResponse {
  return { status, headers: {}, body: '' };
}
