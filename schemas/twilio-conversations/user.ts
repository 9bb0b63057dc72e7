import { attributesProperty, commonProperties, stringProperty as str } from './common.js';
import { booleanString, type FromTwilioSchema } from './open-strings.js';

const resource = {
  ...commonProperties,
  UserSid: str,
  DateCreated: str,
  DateUpdated: str,
  Identity: str,
  RoleSid: str,
  FriendlyName: str,
  ...attributesProperty,
} as const;

export const onUserAddedSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'UserSid'],
  properties: { EventType: { type: 'string', const: 'onUserAdded' }, ...resource },
  additionalProperties: true,
} as const;

/** Pre-action: a user is about to change. Reject it to keep the old values. */
export const onUserUpdateSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'UserSid'],
  properties: { EventType: { type: 'string', const: 'onUserUpdate' }, ...resource },
  additionalProperties: true,
} as const;

export const onUserUpdatedSchema = {
  type: 'object',
  required: ['EventType', 'AccountSid', 'UserSid'],
  properties: {
    EventType: { type: 'string', const: 'onUserUpdated' },
    ...resource,
    isOnline: booleanString,
    isNotifiable: booleanString,
  },
  additionalProperties: true,
} as const;

export type OnUserAddedParams = FromTwilioSchema<typeof onUserAddedSchema>;
export type OnUserUpdateParams = FromTwilioSchema<typeof onUserUpdateSchema>;
export type OnUserUpdatedParams = FromTwilioSchema<typeof onUserUpdatedSchema>;
