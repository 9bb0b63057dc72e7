import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  twilioConversationsEvents,
  type TwilioConversationsEventMap, type TwilioConversationsEventType, type TwilioDeliveryStatus, type TwilioMedia,
  type TwilioPreActionEventType, type KnownKeys,
} from '../../schemas/twilio-conversations/index.js';
import type {
  TwilioConversationModification, TwilioHookContext, TwilioHooks, TwilioMessageModification, TwilioReplyContext,
} from '../../src/providers/twilio-conversations/index.js';
import { formParams, twilioVectors } from '../helpers/fake-twilio.js';

const { captured, reconstructed, syntheticGetVariant, syntheticGroupMmsRepeatedKey } = twilioVectors().conversations;

// Strict mode is the point: it fails on keywords or `required` entries a lenient Ajv would ignore.
const ajv = new Ajv({ strict: true, allErrors: false });
const validators = new Map<string, ValidateFunction>(twilioConversationsEvents.map((row) => [row.type, ajv.compile(row.schema)]));

function check(type: string, params: unknown): { ok: boolean; errors: string } {
  const v = validators.get(type)!;
  const ok = v(params);
  return { ok, errors: ajv.errorsText(v.errors) };
}

/** The 23 valid `Filters` values of the Conversations webhook configuration. */
const FILTERS = [
  'onMessageAdd', 'onMessageAdded', 'onMessageUpdate', 'onMessageUpdated', 'onMessageRemove', 'onMessageRemoved',
  'onConversationAdd', 'onConversationAdded', 'onConversationUpdate', 'onConversationUpdated', 'onConversationRemove',
  'onConversationRemoved', 'onConversationStateUpdated', 'onParticipantAdd', 'onParticipantAdded', 'onParticipantUpdate',
  'onParticipantUpdated', 'onParticipantRemove', 'onParticipantRemoved', 'onDeliveryUpdated', 'onUserAdded', 'onUserUpdate',
  'onUserUpdated',
];

describe('twilio conversations schemas: table', () => {
  it('lists exactly the 23 webhook event types, once each, and compiles under strict Ajv', () => {
    expect(twilioConversationsEvents.map((r) => r.type).sort()).toEqual([...FILTERS].sort());
    expect(validators.size).toBe(23);
  });

  it('10 pre-action events, each with its post-action counterpart; 13 post-action', () => {
    const pre = twilioConversationsEvents.filter((r) => r.kind === 'pre-action').map((r) => r.type as string);
    const post = new Set(twilioConversationsEvents.filter((r) => r.kind === 'post-action').map((r) => r.type as string));
    expect(pre).toHaveLength(10);
    expect(post.size).toBe(13);
    for (const type of pre) expect(post.has(`${type}${type.endsWith('e') ? 'd' : 'ed'}`), type).toBe(true);
  });

  it('only message and conversation add/update hooks may modify', () => {
    const modifying = Object.fromEntries(twilioConversationsEvents.filter((r) => r.modify !== 'none').map((r) => [r.type, r.modify]));
    expect(modifying).toEqual({ onMessageAdd: 'message', onMessageUpdate: 'message', onConversationAdd: 'conversation', onConversationUpdate: 'conversation' });
  });
});

describe('twilio conversations schemas: vectors', () => {
  it.each(reconstructed.map((r) => [`${r.event}${r.variant ? ' (media)' : ''}`, r] as const))('reconstructed %s fits its schema', (_name, r) => {
    const result = check(r.event, formParams(r.rawBody));
    expect(result.ok, result.errors).toBe(true);
  });

  it.each(captured.map((c, i) => [`${c.event} #${i}`, c] as const))('captured %s fits its schema', (_name, c) => {
    const result = check(c.event, c.decoded);
    expect(result.ok, result.errors).toBe(true);
  });

  it('the GET variant and the group-MMS repeated key fit', () => {
    expect(check('onMessageAdd', formParams(syntheticGetVariant.url.split('?')[1]!)).ok).toBe(true);
    const mms = check('onConversationAdded', formParams(syntheticGroupMmsRepeatedKey.rawBody));
    expect(mms.ok, mms.errors).toBe(true);
  });

  it('unknown parameters are allowed: Twilio adds them without notice', () => {
    expect(check('onMessageAdded', { ...reconstructed[0]!.params, SomethingNew: 'x' }).ok).toBe(true);
  });

  it.each([
    ['onMessageAdded without MessageSid', 'onMessageAdded', (p: Record<string, unknown>) => { delete p['MessageSid']; }, "must have required property 'MessageSid'"],
    ['a repeated Body', 'onMessageAdded', (p: Record<string, unknown>) => { p['Body'] = ['a', 'b']; }, 'must be string'],
    ['a number where Twilio sends text', 'onMessageAdded', (p: Record<string, unknown>) => { p['Index'] = 3; }, 'must be string'],
    ['the wrong EventType', 'onMessageAdded', (p: Record<string, unknown>) => { p['EventType'] = 'onMessageAdd'; }, 'must be equal to constant'],
  ])('rejects %s', (_name, type, mutate, message) => {
    const p: Record<string, unknown> = { ...reconstructed[0]!.params };
    mutate(p);
    const result = check(type, p);
    expect(result.ok).toBe(false);
    expect(result.errors).toContain(message);
  });
});

describe('twilio conversations schemas: derived types', () => {
  it('events carry Twilio names as strings plus parsed attributes/media where they exist', () => {
    type Add = TwilioConversationsEventMap['onMessageAdd'];
    expectTypeOf<Add['EventType']>().toEqualTypeOf<'onMessageAdd'>();
    expectTypeOf<Add['ConversationSid']>().toEqualTypeOf<string>();
    expectTypeOf<Add['Body']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Add['Attributes']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Add['attributes']>().toEqualTypeOf<Record<string, unknown> | undefined>();
    expectTypeOf<Add['media']>().toEqualTypeOf<TwilioMedia[]>();
    type Dlr = TwilioConversationsEventMap['onDeliveryUpdated'];
    expectTypeOf<Dlr['Status']>().toEqualTypeOf<TwilioDeliveryStatus>();
    expectTypeOf<'media' extends KnownKeys<Dlr> ? true : false>().toEqualTypeOf<false>();
    expectTypeOf<'attributes' extends KnownKeys<Dlr> ? true : false>().toEqualTypeOf<false>();
    expectTypeOf<TwilioConversationsEventMap['onConversationAdded']['MessagingBinding.Address']>().toEqualTypeOf<string | string[] | undefined>();
  });

  it('hooks: pre-action contexts can reject, conversation events can reply, modifications are typed', () => {
    expectTypeOf<TwilioHookContext<'onMessageAdd'>>().toHaveProperty('reject');
    expectTypeOf<'reject' extends keyof TwilioHookContext<'onMessageAdded'> ? true : false>().toEqualTypeOf<false>();
    expectTypeOf<TwilioHookContext<'onMessageAdded'>>().toMatchTypeOf<TwilioReplyContext>();
    expectTypeOf<'reply' extends keyof TwilioHookContext<'onUserAdded'> ? true : false>().toEqualTypeOf<false>();
    expectTypeOf<'reply' extends keyof TwilioHookContext<'onConversationAdd'> ? true : false>().toEqualTypeOf<false>();
    expectTypeOf<ReturnType<TwilioHooks['onMessageAdd']>>().toEqualTypeOf<TwilioMessageModification | void | Promise<TwilioMessageModification | void>>();
    expectTypeOf<ReturnType<TwilioHooks['onConversationUpdate']>>().toEqualTypeOf<TwilioConversationModification | void | Promise<TwilioConversationModification | void>>();
    expectTypeOf<TwilioPreActionEventType>().toEqualTypeOf<
      'onMessageAdd' | 'onMessageUpdate' | 'onMessageRemove' | 'onConversationAdd' | 'onConversationUpdate' | 'onConversationRemove'
      | 'onParticipantAdd' | 'onParticipantUpdate' | 'onParticipantRemove' | 'onUserUpdate'
    >();
    expectTypeOf<keyof TwilioHooks>().toEqualTypeOf<TwilioConversationsEventType | 'onUnknown'>();
  });
});
