/**
 * Every rejection the library makes carries one of these stable codes. Apps
 * and dashboards may match on `code`; the message is for humans and may change.
 */
export const ERROR_STATUS = {
  not_found: 404,
  method_not_allowed: 405,
  unsupported_media_type: 415,
  payload_too_large: 413,
  body_timeout: 408,
  raw_body_unavailable: 500,
  missing_signature: 401,
  invalid_signature: 401,
  stale_timestamp: 401,
  unsupported_algorithm: 401,
  malformed_payload: 400,
  schema_violation: 400,
  duplicate_in_flight: 409,
  store_unavailable: 503,
  hook_failed: 500,
  hook_timeout: 503,
  rejected: 403,
  reply_failed: 502,
  misconfigured: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class SwitchboardError extends Error {
  override readonly name = 'SwitchboardError';
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra facts for logs (never secrets). Not sent to the client. */
  readonly details: Record<string, unknown> | undefined;
  /**
   * What the HTTP caller (the provider, and whoever reads its debugger) sees
   * when `message` carries text from the app's own code, such as what a hook
   * threw. The full message goes to logs and `onError` only.
   */
  readonly publicMessage: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { status?: number; details?: Record<string, unknown>; cause?: unknown; publicMessage?: string } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.status = opts.status ?? ERROR_STATUS[code];
    this.details = opts.details;
    this.publicMessage = opts.publicMessage;
  }

  /** The JSON body sent to the caller: `{"error":{"code","message"}}`. */
  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.publicMessage ?? this.message } };
  }
}

export function isSwitchboardError(err: unknown): err is SwitchboardError {
  return err instanceof SwitchboardError;
}
