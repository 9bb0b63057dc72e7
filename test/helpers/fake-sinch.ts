import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for auth.sinch.com and the Conversation API, strict enough
 * that a request it accepts is one the real API would accept in shape.
 */
export interface FakeSinchOptions {
  keyId: string;
  keySecret: string;
  /** Projects that exist; any other projectId gets 404, like a wrong region does. */
  projectIds: string[];
  /** Seconds, as in the OAuth2 response. Default 3600. */
  expiresIn?: number;
  /** Server-side clock for token validity. Default Date.now. */
  now?: () => number;
  /**
   * Make error bodies echo the caller's Authorization header, as some proxies
   * do, so tests can prove the client scrubs credentials from its errors.
   */
  echoAuthInErrors?: boolean;
}

export interface RecordedSend {
  projectId: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** The bearer token the request carried. */
  token: string;
}

export interface FakeSinch {
  /** Conversation API base, e.g. http://127.0.0.1:1234 (use as rest.baseUrl). */
  readonly url: string;
  /** Token endpoint (use as rest.authUrl). */
  readonly authUrl: string;
  /** Accepted sends, in arrival order. */
  readonly requests: RecordedSend[];
  /** Every POST to the token endpoint, failed ones included. */
  readonly tokenRequests: number;
  /** Every POST to a send endpoint, rejected ones included. */
  readonly sendAttempts: number;
  /** Tokens issued so far, oldest first. */
  readonly issuedTokens: string[];
  failNextToken(n: number, status: number): void;
  failNextSend(n: number, status: number): void;
  /** Hold each send response this long (for timeout and abort tests). 0 disables. */
  setSendDelay(ms: number): void;
  /** Revoke every token issued so far, as a key rotation would. */
  expireTokens(): void;
  close(): Promise<void>;
}

const MESSAGE_KINDS = new Set([
  'text_message',
  'media_message',
  'choice_message',
  'card_message',
  'carousel_message',
  'list_message',
  'location_message',
  'contact_info_message',
  'template_message',
]);
// Fields an AppMessage may carry besides its single kind.
const MESSAGE_EXTRAS = new Set(['explicit_channel_message', 'explicit_channel_omni_message', 'channel_specific_message', 'agent']);

const SEND_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/;

export async function startFakeSinch(opts: FakeSinchOptions): Promise<FakeSinch> {
  const now = opts.now ?? Date.now;
  const expiresIn = opts.expiresIn ?? 3600;
  const expectedBasic = `Basic ${Buffer.from(`${opts.keyId}:${opts.keySecret}`, 'utf8').toString('base64')}`;
  const projects = new Set(opts.projectIds);

  const tokens = new Map<string, number>(); // token → expiry (epoch ms)
  const issuedTokens: string[] = [];
  const requests: RecordedSend[] = [];
  let tokenRequests = 0;
  let sendAttempts = 0;
  let tokenFailures: { left: number; status: number } = { left: 0, status: 500 };
  let sendFailures: { left: number; status: number } = { left: 0, status: 500 };
  let sendDelayMs = 0;
  const timers = new Set<NodeJS.Timeout>();

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const echo = (req: IncomingMessage): string => (opts.echoAuthInErrors ? ` (authorization: ${req.headers.authorization ?? ''})` : '');
  // Conversation API errors follow the Google API error shape.
  const apiError = (res: ServerResponse, status: number, statusText: string, message: string): void =>
    json(res, status, { error: { code: status, message, status: statusText, details: [] } });

  const handleToken = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    tokenRequests++;
    if (tokenFailures.left > 0) {
      tokenFailures.left--;
      json(res, tokenFailures.status, { error: 'injected_failure', error_description: `injected failure${echo(req)}` });
      return;
    }
    if (req.headers.authorization !== expectedBasic) {
      json(res, 401, { error: 'invalid_client', error_description: `client authentication failed${echo(req)}` });
      return;
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      json(res, 400, { error: 'invalid_request', error_description: 'content-type must be application/x-www-form-urlencoded' });
      return;
    }
    if (new URLSearchParams(raw).get('grant_type') !== 'client_credentials') {
      json(res, 400, { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
      return;
    }
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, now() + expiresIn * 1000);
    issuedTokens.push(token);
    json(res, 200, { access_token: token, expires_in: expiresIn, scope: '', token_type: 'bearer' });
  };

  const handleSend = (req: IncomingMessage, res: ServerResponse, raw: string, projectId: string): void => {
    sendAttempts++;
    if (sendFailures.left > 0) {
      sendFailures.left--;
      apiError(res, sendFailures.status, 'INJECTED', `injected failure${echo(req)}`);
      return;
    }
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : '';
    const expiry = tokens.get(token);
    if (expiry === undefined || now() >= expiry) {
      apiError(res, 401, 'UNAUTHENTICATED', `Request had invalid authentication credentials${echo(req)}`);
      return;
    }
    if (!projects.has(projectId)) {
      apiError(res, 404, 'NOT_FOUND', `Project ${projectId} not found`);
      return;
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      apiError(res, 400, 'INVALID_ARGUMENT', 'content-type must be application/json');
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      apiError(res, 400, 'INVALID_ARGUMENT', 'body is not valid JSON');
      return;
    }
    const problem = validateSend(body);
    if (problem) {
      apiError(res, 400, 'INVALID_ARGUMENT', problem);
      return;
    }
    const respond = (): void => {
      if (res.destroyed) return; // the client gave up; real Sinch may still send, but nobody is told
      requests.push({ projectId, headers: req.headers, body: body as Record<string, unknown>, token });
      json(res, 200, { accepted_time: new Date().toISOString(), message_id: randomUUID().replace(/-/g, '').toUpperCase() });
    };
    if (sendDelayMs > 0) {
      const t = setTimeout(() => {
        timers.delete(t);
        respond();
      }, sendDelayMs);
      timers.add(t);
    } else {
      respond();
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (req.method === 'POST' && path === '/oauth2/token') return handleToken(req, res, raw);
      const m = SEND_PATH.exec(path);
      if (req.method === 'POST' && m?.[1] !== undefined) return handleSend(req, res, raw, decodeURIComponent(m[1]));
      apiError(res, 404, 'NOT_FOUND', `no route for ${req.method ?? '?'} ${path}`);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    authUrl: `${url}/oauth2/token`,
    requests,
    issuedTokens,
    get tokenRequests() {
      return tokenRequests;
    },
    get sendAttempts() {
      return sendAttempts;
    },
    failNextToken(n, status) {
      tokenFailures = { left: n, status };
    },
    failNextSend(n, status) {
      sendFailures = { left: n, status };
    },
    setSendDelay(ms) {
      sendDelayMs = ms;
    },
    expireTokens() {
      tokens.clear();
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets from fetch would otherwise hold close() open.
        server.closeAllConnections();
      });
    },
  };
}

/** Returns a description of the first shape problem, or undefined when the request is well formed. */
export function validateSend(body: unknown): string | undefined {
  if (!isRecord(body)) return 'body must be a JSON object';
  if (typeof body['app_id'] !== 'string' || body['app_id'] === '') return 'app_id must be a non-empty string';

  const recipient = body['recipient'];
  if (!isRecord(recipient)) return 'recipient is required';
  const hasContact = 'contact_id' in recipient;
  const hasIdentified = 'identified_by' in recipient;
  if (hasContact === hasIdentified) return 'recipient must have exactly one of contact_id or identified_by';
  if (hasContact) {
    if (typeof recipient['contact_id'] !== 'string' || recipient['contact_id'] === '') return 'recipient.contact_id must be a non-empty string';
  } else {
    const by = recipient['identified_by'];
    const ids = isRecord(by) ? by['channel_identities'] : undefined;
    if (!Array.isArray(ids) || ids.length === 0) return 'recipient.identified_by.channel_identities must be a non-empty array';
    for (const [i, id] of ids.entries()) {
      if (!isRecord(id) || typeof id['channel'] !== 'string' || id['channel'] === '' || typeof id['identity'] !== 'string' || id['identity'] === '') {
        return `recipient.identified_by.channel_identities[${i}] needs channel and identity strings`;
      }
    }
  }

  const message = body['message'];
  if (!isRecord(message)) return 'message is required';
  const keys = Object.keys(message);
  const unknown = keys.filter((k) => !MESSAGE_KINDS.has(k) && !MESSAGE_EXTRAS.has(k));
  if (unknown.length > 0) return `message has unknown field(s): ${unknown.join(', ')}`;
  const kinds = keys.filter((k) => MESSAGE_KINDS.has(k));
  if (kinds.length !== 1) return `message must have exactly one message kind (got ${kinds.length === 0 ? 'none' : kinds.join(', ')})`;
  const kind = kinds[0] as string;
  const payload = message[kind];
  if (!isRecord(payload)) return `message.${kind} must be an object`;
  if (kind === 'text_message' && typeof payload['text'] !== 'string') return 'message.text_message.text must be a string';
  if (kind === 'media_message' && typeof payload['url'] !== 'string') return 'message.media_message.url must be a string';
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
