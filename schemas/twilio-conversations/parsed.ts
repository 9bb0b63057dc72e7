/*
 * Fields the parser adds next to Twilio's own. `Attributes` and `Media`
 * arrive as JSON inside a form value; hooks get them parsed, while the raw
 * strings stay under their Twilio names, untouched.
 */

/**
 * One attached media item. Twilio does not document the key casing inside
 * `Media` (Event Streams uses `MediaSid`/`ContentType`, REST uses `sid`/
 * `content_type`), so every known spelling is read into these fields.
 */
export interface TwilioMedia {
  /** ME… */
  sid?: string;
  filename?: string;
  contentType?: string;
  /** Bytes. */
  size?: number;
  category?: string;
  url?: string;
  /** The element exactly as parsed from the JSON. */
  raw: Record<string, unknown>;
}

export interface ParsedAttributes {
  /**
   * `Attributes` parsed as JSON. Undefined when absent, empty, not valid
   * JSON, or not a JSON object; the raw string is always in `Attributes`.
   */
  attributes?: Record<string, unknown>;
}

export interface ParsedMedia {
  /** `Media` parsed leniently; empty when absent or unreadable. The raw string is in `Media`. */
  media: TwilioMedia[];
}

/**
 * The named keys of a type, without its index signature: schemas allow
 * additional properties, so plain `keyof` would contain every string.
 */
export type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/** An event's parameters plus the parsed forms of the JSON-in-a-string fields it has. */
export type WithParsed<P> = P &
  ('Attributes' extends KnownKeys<P> ? ParsedAttributes : unknown) &
  ('Media' extends KnownKeys<P> ? ParsedMedia : unknown);
