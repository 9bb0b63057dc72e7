/** Signing helpers for your own tests: each produces what the provider would send. */
export { signSinchConversation } from '../providers/sinch-conversation/testing.js';
export type { SignSinchConversationInput } from '../providers/sinch-conversation/testing.js';
export { signVoipbin } from '../providers/voipbin/testing.js';
