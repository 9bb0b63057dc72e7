import { describe, expect, it } from 'vitest';
import {
  neutralTwilioStatus, participantDeliveryStatuses, twilioAddress,
} from '../../src/providers/twilio-conversations/record.js';
import type { StatusChange } from '../../src/model/index.js';

describe('twilioAddress: Twilio addresses on the neutral model', () => {
  it.each([
    ['whatsapp:+15551234567', undefined, 'WHATSAPP', { kind: 'whatsapp', value: '+15551234567' }],
    ['WhatsApp:+1 (555) 123-4567', undefined, 'WHATSAPP', { kind: 'whatsapp', value: '+15551234567' }],
    ['+15558675310', undefined, 'SMS', { kind: 'tel', value: '+15558675310' }],
    ['+15558675310', 'SMS', 'SMS', { kind: 'tel', value: '+15558675310' }],
    ['+15558675310', 'WHATSAPP', 'WHATSAPP', { kind: 'whatsapp', value: '+15558675310' }],
    ['tel:+15558675310', undefined, 'SMS', { kind: 'tel', value: '+15558675310' }],
    ['messenger:1234567890', undefined, 'MESSENGER', { kind: 'messenger', value: '1234567890' }],
    ['agent.alice', undefined, 'CHAT', { kind: 'chat', value: 'agent.alice' }],
    ['user:42', undefined, 'CHAT', { kind: 'chat', value: 'user:42' }],
    ['dave', 'CHAT', 'CHAT', { kind: 'chat', value: 'dave' }],
  ])('%s (type %s) → %s %j', (raw, type, channel, address) => {
    expect(twilioAddress(raw, type)).toEqual({ channel, address });
  });
});

describe('receipt statuses', () => {
  it.each([
    ['sent', 'sent'], ['delivered', 'delivered'], ['read', 'read'], ['failed', 'failed'], ['undelivered', 'failed'],
    ['DELIVERED', 'delivered'], ['something-new', 'queued'],
  ])('%s → %s', (raw, neutral) => {
    expect(neutralTwilioStatus(raw)).toBe(neutral);
  });

  it('per participant: the furthest status each one reached, whatever the arrival order', () => {
    const h = (status: StatusChange['status'], recipient: string | undefined, at: string): StatusChange =>
      ({ status, rawStatus: status, at, ...(recipient ? { recipient } : {}) });
    const statusHistory = [
      h('read', 'MBalice', '2026-03-04T10:00:05Z'),
      h('delivered', 'MBalice', '2026-03-04T10:00:03Z'),
      h('sent', 'MBbob', '2026-03-04T10:00:01Z'),
      h('failed', 'MBcarol', '2026-03-04T10:00:02Z'),
      h('delivered', 'MBcarol', '2026-03-04T10:00:04Z'),
      h('delivered', undefined, '2026-03-04T10:00:06Z'),
    ];
    expect(participantDeliveryStatuses({ statusHistory })).toEqual({ MBalice: 'read', MBbob: 'sent', MBcarol: 'delivered' });
  });
});
