import { createSwitchboard, type SinchConversationOptions, type SwitchboardOptions } from '../../src/index.js';
import { signSinchConversation } from '../../src/testing/index.js';

export const SECRET = 'test-webhook-secret';
/** A fixed "now" so signed timestamps are deterministic; tests move it to probe the window. */
export const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

export function makeSwitchboard(
  extra: Omit<Partial<SwitchboardOptions>, 'sinchConversation'> & { sinchConversation?: Partial<SinchConversationOptions> } = {},
  clock: () => number = () => NOW,
) {
  return createSwitchboard({
    clock,
    ...extra,
    sinchConversation: { secrets: [SECRET], ...(extra.sinchConversation ?? {}) },
  });
}

export function signed(body: string, opts: { secret?: string; timestamp?: number; nonce?: string } = {}): Record<string, string> {
  return signSinchConversation({
    body,
    secret: opts.secret ?? SECRET,
    timestamp: opts.timestamp ?? Math.floor(NOW / 1000),
    ...(opts.nonce ? { nonce: opts.nonce } : {}),
  });
}

let seq = 0;
/** A fresh, valid MESSAGE_INBOUND body (unique message id unless given). */
export function inboundBody(over: { id?: string; text?: string; identity?: string; channel?: string; conversationId?: string } = {}): string {
  seq += 1;
  return JSON.stringify({
    app_id: '01EB37HMH1M6SV18ABNS3G135H',
    accepted_time: '2026-11-22T11:59:58.000Z',
    event_time: '2026-11-22T11:59:57.000Z',
    project_id: 'c36f3d3d-1523-4edd-ae42-11995557ff61',
    message: {
      id: over.id ?? `01MSG${String(seq).padStart(6, '0')}${Math.random().toString(36).slice(2, 8).toUpperCase()}`,
      direction: 'TO_APP',
      contact_message: { text_message: { text: over.text ?? 'Hi!' } },
      channel_identity: { channel: over.channel ?? 'WHATSAPP', identity: over.identity ?? '46732001122', app_id: '' },
      conversation_id: over.conversationId ?? '01CONV0000000000000000000A',
      contact_id: '01CONTACT00000000000000000',
      metadata: '',
      accept_time: '2026-11-22T11:59:58.000Z',
    },
  });
}
