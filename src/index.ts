export { createSwitchboard } from './switchboard.js';
export type { Switchboard, SwitchboardOptions } from './switchboard.js';
export { SwitchboardError, ERROR_STATUS, isSwitchboardError } from './core/errors.js';
export type { ErrorCode } from './core/errors.js';
export type { Clock, Logger, Headers, WebhookRequest, WebhookResponse } from './core/types.js';
export { silentLogger } from './core/types.js';
export type { ErrorInfo, ErrorListener } from './core/engine.js';
export { Hooks, hookMethods } from './core/hooks.js';
export { extendContext } from './core/context.js';
export type { HookMap, HookMethods } from './core/hooks.js';
export type { Provider, ProviderEvent, BaseHookContext, Recorded, RecordContext, SchemaProblem, VerifyEnv } from './providers/provider.js';
export { memoryStore } from './store/memory.js';
export type { MemoryStoreOptions } from './store/memory.js';
export type * from './store/store.js';
export { storeConformanceCases } from './store/conformance.js';
export type { ConformanceCase } from './store/conformance.js';
export type * from './model/index.js';
export { DELIVERY_RANK, CALL_RANK } from './model/index.js';
export { normalizeChannel, toE164, addressFor } from './model/normalize.js';
export { sinchConversation, SinchConversationClient, verifySinchConversation } from './providers/sinch-conversation/index.js';
export type {
  SinchConversationOptions, SinchConversationRouter, SinchConversationHooks, SinchConversationContext, SinchInboundContext,
  SinchConversationEvent, SinchConversationTrigger, ReplyOptions, AppMessage, SendMessageRequest, SendMessageResponse, SinchRestOptions,
} from './providers/sinch-conversation/index.js';
export type * from '../schemas/sinch-conversation/index.js';
export { voipbin, VoipbinClient, verifyVoipbin, voipbinTime } from './providers/voipbin/index.js';
export type { VoipbinOptions, VoipbinRouter, VoipbinHooks, VoipbinContext, VoipbinConversationContext, VoipbinEvent, VoipbinRestOptions, VoipbinOutgoingMedia } from './providers/voipbin/index.js';
export type * from '../schemas/voipbin/index.js';
export type { NeutralHooks, NeutralContext } from './core/neutral-hooks.js';
export { sinchVoice, svaml, validateSvaml, verifySinchVoice, sinchVoiceSignature, sinchVoiceStringToSign, sinchVoiceContentMd5 } from './providers/sinch-voice/index.js';
export type {
  SinchVoiceOptions, SinchVoiceRouter, SinchVoiceHooks, SinchVoiceContext, SinchVoiceAnswer, SinchVoiceEvent, KnownSinchVoiceEvent, UnknownSinchVoiceEvent,
  SinchVoiceApplication, SinchVoicePublicPath, SinchVoiceVerifyInput, SinchVoiceVerified, IceSvamlBuilder, AceSvamlBuilder, PieSvamlBuilder, SvamlBuilderFor,
  SvamlCheck, ConnectPstnOptions, ConnectMxpOptions, ConnectConfOptions, ConnectSipOptions, ConnectStreamOptions, RunMenuOptions, ParkOptions,
} from './providers/sinch-voice/index.js';
export type * from '../schemas/sinch-voice/index.js';
export { twilioConversations, TwilioConversationsClient, verifyTwilioSignature, participantDeliveryStatuses } from './providers/twilio-conversations/index.js';
export type {
  TwilioConversationsOptions, TwilioConversationsRouter, TwilioHooks, TwilioHookContext, TwilioConversationsContext, TwilioPreActionContext,
  TwilioReplyContext, TwilioReplyOptions, TwilioMessageModification, TwilioConversationModification, TwilioConversationsEvent,
} from './providers/twilio-conversations/index.js';
export type { TwilioRestOptions, TwilioOutboundMessage, TwilioMessageResource } from './providers/twilio-conversations/reply.js';
export type {
  TwilioConversationsEventMap, TwilioConversationsEventType, TwilioPreActionEventType, TwilioPostActionEventType, TwilioConversationsParamsMap,
} from '../schemas/twilio-conversations/index.js';
