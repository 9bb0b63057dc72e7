import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  contactMessageKinds,
  sinchConversationTriggers,
  type ChannelIdentity,
  type ContactMessage,
  type FromSinchSchema,
  type ConversationChannel,
  type DeliveryReason,
  type MessageDeliveryEvent,
  type MessageInboundEvent,
  type ReasonCode,
  type SinchConversationEventMap,
  type SinchConversationHook,
  type SinchConversationTrigger,
  type SinchDeliveryStatus,
  type SmartConversationEvent,
  type UnsupportedEvent,
} from '../../schemas/sinch-conversation/index.js';

interface Example {
  source: { kind?: string; section?: string; path?: string };
  payload: Record<string, unknown>;
}
interface EventsFile {
  triggers: Record<string, { top_level_key: string; examples: Example[] }>;
  contact_message_shapes: Record<string, { payload: Record<string, unknown> }>;
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../shared/vectors/sinch-conversation-events.json', import.meta.url), 'utf8'),
) as EventsFile;

// Strict mode is the point: it fails compilation on keywords or `required`
// entries that a lenient Ajv would silently ignore.
const ajv = new Ajv({ strict: true, allErrors: false });
const validators = new Map<string, ValidateFunction>(
  sinchConversationTriggers.map((row) => [row.trigger, ajv.compile(row.schema)]),
);
const triggerKeys = sinchConversationTriggers.map((row) => row.key as string);

function validate(trigger: SinchConversationTrigger, payload: unknown): { ok: boolean; errors: string } {
  const v = validators.get(trigger);
  if (!v) throw new Error(`no validator for ${trigger}`);
  const ok = v(payload);
  return { ok, errors: ajv.errorsText(v.errors) };
}

const envelope = { app_id: '01EB37HMH1M6SV18ABNS3G135H', project_id: 'p', accepted_time: '2020-11-16T08:17:44Z' };
const inboundWith = (contactMessage: unknown) => ({
  ...envelope,
  message: {
    id: '01EQ8235TD19N21XQTH12B145D',
    direction: 'TO_APP',
    contact_message: contactMessage,
    channel_identity: { channel: 'WHATSAPP', identity: '46732001122' },
  },
});

describe('sinch conversation schemas: table', () => {
  it('covers the 21 triggers of the vectors file, with distinct keys and hooks', () => {
    expect(sinchConversationTriggers).toHaveLength(21);
    expect(new Set(triggerKeys).size).toBe(21);
    expect(new Set(sinchConversationTriggers.map((r) => r.hook)).size).toBe(21);
    expect(sinchConversationTriggers.map((r) => r.trigger).sort()).toEqual(Object.keys(vectors.triggers).sort());
    for (const row of sinchConversationTriggers) {
      expect(vectors.triggers[row.trigger]?.top_level_key, row.trigger).toBe(row.key);
    }
  });

  it('compiles every schema under strict Ajv', () => {
    expect(validators.size).toBe(21);
  });
});

describe('sinch conversation schemas: vectors', () => {
  const cases = Object.entries(vectors.triggers).flatMap(([trigger, entry]) =>
    entry.examples.map((ex, i) => ({
      name: `${trigger} #${i} (${ex.source.section ?? ex.source.path?.split('/').pop() ?? ex.source.kind})`,
      trigger: trigger as SinchConversationTrigger,
      payload: ex.payload,
    })),
  );

  it('has the 36 documented examples', () => {
    expect(cases).toHaveLength(36);
  });

  it.each(cases)('$name validates against its trigger schema', ({ trigger, payload }) => {
    const { ok, errors } = validate(trigger, payload);
    expect(ok, errors).toBe(true);
  });

  it.each(cases)('$name carries exactly one trigger key, the one in the table', ({ trigger, payload }) => {
    const present = triggerKeys.filter((key) => Object.hasOwn(payload, key));
    expect(present).toEqual([sinchConversationTriggers.find((r) => r.trigger === trigger)?.key]);
  });

  it.each(cases)('$name validates against no other trigger schema', ({ trigger, payload }) => {
    // Each schema requires its own key, so a body can never satisfy two triggers.
    const others = sinchConversationTriggers.filter((r) => r.trigger !== trigger && validate(r.trigger, payload).ok);
    expect(others.map((r) => r.trigger)).toEqual([]);
  });
});

describe('sinch conversation schemas: contact_message shapes', () => {
  const shapes = Object.entries(vectors.contact_message_shapes);

  it('has all 8 shapes, one per known kind', () => {
    expect(shapes).toHaveLength(8);
    const kinds = shapes.map(([, s]) => Object.keys(s.payload).find((k) => k !== 'reply_to'));
    expect(kinds.sort()).toEqual([...contactMessageKinds].sort());
  });

  it.each(shapes)('%s validates inside a MESSAGE_INBOUND envelope', (_name, shape) => {
    const { ok, errors } = validate('MESSAGE_INBOUND', inboundWith(shape.payload));
    expect(ok, errors).toBe(true);
  });

  it.each(shapes)('%s validates with reply_to null and without reply_to', (_name, shape) => {
    const { reply_to: _ignored, ...bare } = shape.payload;
    expect(validate('MESSAGE_INBOUND', inboundWith({ ...bare, reply_to: null })).ok).toBe(true);
    expect(validate('MESSAGE_INBOUND', inboundWith(bare)).ok).toBe(true);
  });

  it('accepts unknown extra fields at every level', () => {
    const payload = {
      ...inboundWith({ text_message: { text: 'hi', future: 1 }, reply_to: { message_id: 'm', future: true }, future: {} }),
      future_envelope_field: 'x',
    };
    (payload.message as Record<string, unknown>).future_message_field = [1, 2];
    expect(validate('MESSAGE_INBOUND', payload).ok).toBe(true);
  });
});

describe('sinch conversation schemas: rejections', () => {
  const inbound = vectors.triggers.MESSAGE_INBOUND!.examples[0]!.payload as {
    app_id: string;
    message: Record<string, unknown>;
  };
  const delivery = vectors.triggers.MESSAGE_DELIVERY!.examples[1]!.payload as {
    message_delivery_report: Record<string, unknown>;
  };
  const unsupported = vectors.triggers.UNSUPPORTED!.examples[0]!.payload as {
    unsupported_callback: Record<string, unknown>;
  };

  it('rejects a message without contact_message', () => {
    const { contact_message: _cm, ...message } = inbound.message;
    expect(validate('MESSAGE_INBOUND', { ...inbound, message }).ok).toBe(false);
  });

  it('rejects a delivery report without status', () => {
    const { status: _s, ...report } = delivery.message_delivery_report;
    expect(validate('MESSAGE_DELIVERY', { ...delivery, message_delivery_report: report }).ok).toBe(false);
  });

  it('rejects an unsupported_callback whose payload is an object instead of a string', () => {
    const payload = { object: 'page', entry: [] };
    const body = { ...unsupported, unsupported_callback: { ...unsupported.unsupported_callback, payload } };
    expect(validate('UNSUPPORTED', body).ok).toBe(false);
  });

  it('rejects a body without app_id or without its trigger key', () => {
    const { app_id: _a, ...noApp } = inbound;
    expect(validate('MESSAGE_INBOUND', noApp).ok).toBe(false);
    expect(validate('MESSAGE_INBOUND', { app_id: 'a', message_redaction: inbound.message }).ok).toBe(false);
  });

  it('rejects a contact_message with no content, two shapes, or a malformed shape', () => {
    expect(validate('MESSAGE_INBOUND', inboundWith({ reply_to: { message_id: 'm' } })).ok).toBe(false);
    expect(validate('MESSAGE_INBOUND', inboundWith({ reply_to: null })).ok).toBe(false);
    expect(validate('MESSAGE_INBOUND', inboundWith({})).ok).toBe(false);
    expect(validate('MESSAGE_INBOUND', inboundWith({ text_message: { text: 'a' }, media_message: { url: 'u' } })).ok).toBe(false);
    expect(validate('MESSAGE_INBOUND', inboundWith({ text_message: { text: 42 } })).ok).toBe(false);
    expect(validate('MESSAGE_INBOUND', inboundWith({ text_message: { text: 'a' }, reply_to: 'm' })).ok).toBe(false);
  });

  it('accepts a contact_message kind Sinch has not documented yet, with or without reply_to', () => {
    expect(validate('MESSAGE_INBOUND', inboundWith({ sticker_message: { url: 'https://x/s.webp' } })).ok).toBe(true);
    expect(validate('MESSAGE_INBOUND', inboundWith({ sticker_message: {}, reply_to: { message_id: 'm' } })).ok).toBe(true);
    // A known key beside it still has to have its documented shape.
    expect(validate('MESSAGE_INBOUND', inboundWith({ sticker_message: {}, text_message: { text: 42 } })).ok).toBe(false);
  });

  it('accepts statuses, codes and channels Sinch has not invented yet', () => {
    const body = {
      ...delivery,
      message_delivery_report: {
        ...delivery.message_delivery_report,
        status: 'SOME_FUTURE_STATUS',
        reason: { code: 'SOME_FUTURE_CODE', sub_code: 'SOME_FUTURE_SUB_CODE' },
        channel_identity: { channel: 'SOME_FUTURE_CHANNEL', identity: 'x' },
      },
    };
    expect(validate('MESSAGE_DELIVERY', body).ok).toBe(true);
  });
});

describe('sinch conversation schemas: types', () => {
  it('derives usable event types', () => {
    expectTypeOf<MessageInboundEvent['message']['id']>().toEqualTypeOf<string>();
    expectTypeOf<MessageInboundEvent['app_id']>().toEqualTypeOf<string>();
    expectTypeOf<MessageInboundEvent['project_id']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<MessageInboundEvent['message']['channel_identity']>().toEqualTypeOf<ChannelIdentity>();
    expectTypeOf<MessageInboundEvent['message']['contact_message']>().toEqualTypeOf<ContactMessage>();
    expectTypeOf<UnsupportedEvent['unsupported_callback']['payload']>().toEqualTypeOf<string>();
    // The one place where Sinch sends channel_identity as a bare string.
    expectTypeOf<
      NonNullable<SmartConversationEvent['smart_conversation_notification']['channel_identity']>
    >().toEqualTypeOf<string>();
    expectTypeOf<SinchConversationEventMap['MESSAGE_DELIVERY']>().toEqualTypeOf<MessageDeliveryEvent>();
  });

  it('types open strings as literal hints plus any string', () => {
    expectTypeOf<MessageDeliveryEvent['message_delivery_report']['status']>().toEqualTypeOf<SinchDeliveryStatus>();
    expectTypeOf<DeliveryReason['code']>().toEqualTypeOf<ReasonCode | undefined>();
    expectTypeOf<ChannelIdentity['channel']>().toEqualTypeOf<ConversationChannel>();
    expectTypeOf<'DELIVERED'>().toMatchTypeOf<SinchDeliveryStatus>();
    expectTypeOf<'SOMETHING_NEW'>().toMatchTypeOf<SinchDeliveryStatus>();
    expectTypeOf<SinchDeliveryStatus>().not.toEqualTypeOf<string>();
  });

  it('maps every trigger to the type derived from its own schema', () => {
    // Catches a map entry pointing at the wrong trigger's type.
    type Derived = {
      [E in (typeof sinchConversationTriggers)[number] as E['trigger']]: FromSinchSchema<E['schema']>;
    };
    type Mismatched = {
      [T in SinchConversationTrigger]: [Derived[T]] extends [SinchConversationEventMap[T]]
        ? [SinchConversationEventMap[T]] extends [Derived[T]]
          ? never
          : T
        : T;
    }[SinchConversationTrigger];
    expectTypeOf<Mismatched>().toEqualTypeOf<never>();
  });

  it('keeps the table literal', () => {
    expectTypeOf<SinchConversationTrigger>().toEqualTypeOf<keyof SinchConversationEventMap>();
    expectTypeOf<(typeof sinchConversationTriggers)[0]['hook']>().toEqualTypeOf<'onMessageInbound'>();
    expectTypeOf<(typeof sinchConversationTriggers)[0]['key']>().toEqualTypeOf<'message'>();
    expectTypeOf<'onMessageRedaction'>().toMatchTypeOf<SinchConversationHook>();
    expectTypeOf<'onSomethingElse'>().not.toMatchTypeOf<SinchConversationHook>();
    expectTypeOf<Extract<(typeof sinchConversationTriggers)[number], { trigger: 'SMART_CONVERSATION' }>['key']>()
      .toEqualTypeOf<'smart_conversation_notification'>();
  });

  it('narrows contact_message by checking a kind key', () => {
    const describeMessage = (cm: ContactMessage): string => {
      if (cm.text_message) return cm.text_message.text;
      if (cm.media_message) return cm.media_message.url;
      if (cm.location_message) return String(cm.location_message.coordinates.latitude);
      if (cm.choice_response_message) return cm.choice_response_message.postback_data;
      if (cm.media_card_message) return cm.media_card_message.url;
      if (cm.fallback_message) return cm.fallback_message.raw_message ?? '';
      if (cm.product_response_message) return cm.product_response_message.products.map((p) => p.id).join();
      if (cm.channel_specific_message) return cm.channel_specific_message.message_type;
      // What is left is a kind Sinch has not documented yet: none of the eight keys.
      expectTypeOf(cm.text_message).toEqualTypeOf<undefined>();
      expectTypeOf(cm.channel_specific_message).toEqualTypeOf<undefined>();
      return 'unknown';
    };
    const shapes = Object.values(vectors.contact_message_shapes).map((s) => describeMessage(s.payload as ContactMessage));
    expect(shapes).toEqual([
      'This is a text message.',
      'an url value',
      '47.6279809',
      'postback data value',
      'an url value',
      'raw message value',
      'product ID value',
      'nfm_reply',
    ]);
  });
});
