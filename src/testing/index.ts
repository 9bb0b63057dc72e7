/** Signing helpers for your own tests: each produces what the provider would send. */
export { signSinchConversation } from '../providers/sinch-conversation/testing.js';
export type { SignSinchConversationInput } from '../providers/sinch-conversation/testing.js';
export { signVoipbin } from '../providers/voipbin/testing.js';
export { signTwilio } from '../providers/twilio-conversations/testing.js';
export type { SignTwilioInput, SignedTwilioRequest } from '../providers/twilio-conversations/testing.js';
export { signSinchVoice } from '../providers/sinch-voice/testing.js';
export type { SignSinchVoiceInput } from '../providers/sinch-voice/testing.js';
