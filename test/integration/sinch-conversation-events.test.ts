import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sinchConversationTriggers } from '../../schemas/sinch-conversation/index.js';
import { ADAPTERS, post, serve, type Running } from '../helpers/servers.js';
import { makeSwitchboard, signed } from '../helpers/sinch.js';
import { loadVectors } from '../helpers/vectors.js';

interface EventsFile {
  triggers: Record<string, { top_level_key: string; examples: Array<{ payload: Record<string, unknown> }> }>;
  contact_message_shapes: Record<string, { payload: Record<string, unknown> }>;
}
const events = loadVectors<EventsFile>('sinch-conversation-events.json');

const cases = Object.entries(events.triggers).flatMap(([trigger, t]) =>
  t.examples.map((e, i) => ({ trigger, key: t.top_level_key, index: i, body: JSON.stringify(e.payload) })),
);

describe.each(ADAPTERS)('every Sinch Conversation example reaches its typed hook over HTTP (%s)', (adapter) => {
  const sb = makeSwitchboard();
  const calls: Array<{ hook: string; event: unknown; trigger: string }> = [];
  for (const row of sinchConversationTriggers) {
    sb.sinchConversation[row.hook]((event: unknown, ctx: { trigger: string }) => {
      calls.push({ hook: row.hook, event, trigger: ctx.trigger });
    });
  }
  const unknown: unknown[] = [];
  sb.sinchConversation.onUnknown((payload) => {
    unknown.push(payload);
  });
  let server: Running;
  beforeAll(async () => {
    server = await serve(adapter, sb);
  });
  afterAll(async () => {
    await server.close();
  });

  it('has all 21 triggers and 36 examples', () => {
    expect(Object.keys(events.triggers)).toHaveLength(21);
    expect(cases).toHaveLength(36);
  });

  it.each(cases)('$trigger example $index → its hook, 200', async ({ trigger, key, body }) => {
    const before = calls.length;
    const res = await post(`${server.base}/sinch/conversation`, body, signed(body));
    expect(res.status, res.text).toBe(200);
    expect(calls.length).toBe(before + 1);
    const call = calls[calls.length - 1]!;
    const row = sinchConversationTriggers.find((r) => r.trigger === trigger)!;
    expect(row.key).toBe(key);
    expect(call.hook).toBe(row.hook);
    expect(call.trigger).toBe(trigger);
    expect(call.event).toEqual(JSON.parse(body));
  });

  it('an unknown top-level key → 200 and onUnknown, never a 5xx', async () => {
    const body = JSON.stringify({ app_id: 'a', project_id: 'p', batch_status_update: { batch_id: 'b1', status: 'DONE' } });
    const res = await post(`${server.base}/sinch/conversation`, body, signed(body));
    expect(res.status).toBe(200);
    expect(unknown).toContainEqual(JSON.parse(body));
  });
});

describe('a contact_message kind Sinch has not documented yet', () => {
  it('is answered 200, reaches onMessageInbound and onMessage, and is recorded as kind unknown', async () => {
    const sb = makeSwitchboard();
    const typed: unknown[] = [];
    const neutral: Array<{ id: string; kind: string }> = [];
    sb.sinchConversation.onMessageInbound((e) => {
      typed.push(e.message.contact_message);
    });
    sb.onMessage((m) => {
      neutral.push({ id: m.id, kind: m.kind });
    });
    const example = events.triggers['MESSAGE_INBOUND']!.examples[0]!.payload as { message: Record<string, unknown> };
    const contactMessage = { sticker_message: { url: 'https://example.com/s.webp' }, reply_to: { message_id: 'earlier' } };
    const body = JSON.stringify({ ...example, message: { ...example.message, id: 'NEWKIND1', contact_message: contactMessage } });
    const server = await serve('node', sb);
    try {
      const res = await post(`${server.base}/sinch/conversation`, body, signed(body));
      expect(res.status, res.text).toBe(200);
    } finally {
      await server.close();
    }
    expect(typed).toEqual([contactMessage]);
    expect(neutral).toEqual([{ id: 'sinch-conversation:NEWKIND1', kind: 'unknown' }]);
    const stored = await sb.store.getMessage('sinch-conversation:NEWKIND1');
    expect(stored).toMatchObject({ kind: 'unknown', quotedMessageId: 'earlier', media: [] });
    expect(await sb.store.listDeadLetters()).toEqual({ items: [] });
  });

  it('still needs content: an empty contact_message or one with only reply_to → 400 naming contact_message', async () => {
    const sb = makeSwitchboard();
    const example = events.triggers['MESSAGE_INBOUND']!.examples[0]!.payload as { message: Record<string, unknown> };
    const server = await serve('node', sb);
    try {
      for (const [contactMessage, needed] of [[{}, 1], [{ reply_to: { message_id: 'earlier' } }, 2]] as const) {
        const body = JSON.stringify({ ...example, message: { ...example.message, contact_message: contactMessage } });
        const res = await post(`${server.base}/sinch/conversation`, body, signed(body));
        expect(res.status).toBe(400);
        expect(JSON.parse(res.text).error.code).toBe('schema_violation');
        expect(JSON.parse(res.text).error.message).toContain(`at /message/contact_message: must NOT have fewer than ${needed} properties`);
      }
    } finally {
      await server.close();
    }
    expect((await sb.store.listDeadLetters()).items).toHaveLength(2);
  });
});

describe('where the official Node SDK is wrong, we are right', () => {
  it('CONTACT_IDENTITIES_DUPLICATION and SMART_CONVERSATION reach their hooks while @sinch/conversation@1.4.0 cannot parse or name them', async () => {
    const { ConversationCallbackWebhooks } = await import('@sinch/sdk-core');
    const sdk = new ConversationCallbackWebhooks({ secret: 'x' } as never) as unknown as { parseEvent(b: unknown): { trigger?: string } };
    const dup = events.triggers['CONTACT_IDENTITIES_DUPLICATION']!.examples[0]!.payload;
    expect(() => sdk.parseEvent(structuredClone(dup))).toThrow(/Unknown Conversation event/);
    const smart = events.triggers['SMART_CONVERSATION']!.examples[0]!.payload;
    expect(sdk.parseEvent(structuredClone(smart)).trigger).toBe('SMART_CONVERSATIONS');

    const sb = makeSwitchboard();
    const seen: string[] = [];
    sb.sinchConversation.onContactIdentitiesDuplication((e, ctx) => {
      seen.push(`${ctx.trigger}:${e.duplicated_contact_identities_notification.duplicated_identities.length}`);
    });
    sb.sinchConversation.onSmartConversation((_e, ctx) => {
      seen.push(ctx.trigger);
    });
    const server = await serve('express5', sb);
    try {
      for (const payload of [dup, smart]) {
        const body = JSON.stringify(payload);
        expect((await post(`${server.base}/sinch/conversation`, body, signed(body))).status).toBe(200);
      }
    } finally {
      await server.close();
    }
    expect(seen).toEqual(['CONTACT_IDENTITIES_DUPLICATION:1', 'SMART_CONVERSATION']);
  });
});
