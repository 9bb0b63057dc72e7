import { contactSchema, envelopeProperties } from './common.js';
import { channelString, type FromSinchSchema } from './open-strings.js';

const contactNotification = {
  type: 'object',
  required: ['contact'],
  properties: { contact: contactSchema },
  additionalProperties: true,
} as const;

export const contactCreateSchema = {
  type: 'object',
  required: ['app_id', 'contact_create_notification'],
  properties: { ...envelopeProperties, contact_create_notification: contactNotification },
  additionalProperties: true,
} as const;

export const contactUpdateSchema = {
  type: 'object',
  required: ['app_id', 'contact_update_notification'],
  properties: { ...envelopeProperties, contact_update_notification: contactNotification },
  additionalProperties: true,
} as const;

export const contactDeleteSchema = {
  type: 'object',
  required: ['app_id', 'contact_delete_notification'],
  properties: { ...envelopeProperties, contact_delete_notification: contactNotification },
  additionalProperties: true,
} as const;

/** Both sides are needed to re-point local records from the deleted id to the preserved one. */
export const contactMergeSchema = {
  type: 'object',
  required: ['app_id', 'contact_merge_notification'],
  properties: {
    ...envelopeProperties,
    contact_merge_notification: {
      type: 'object',
      required: ['preserved_contact', 'deleted_contact'],
      properties: {
        preserved_contact: contactSchema,
        deleted_contact: contactSchema,
      },
      additionalProperties: true,
    },
  },
  additionalProperties: true,
} as const;

/**
 * The key is `duplicated_contact_identities_notification` (Java, .NET and
 * the Node typing); Node's parser looks for `duplicated_identities` at the
 * top level instead and throws on real payloads.
 */
export const contactIdentitiesDuplicationSchema = {
  type: 'object',
  required: ['app_id', 'duplicated_contact_identities_notification'],
  properties: {
    ...envelopeProperties,
    duplicated_contact_identities_notification: {
      type: 'object',
      required: ['duplicated_identities'],
      properties: {
        duplicated_identities: {
          type: 'array',
          items: {
            type: 'object',
            required: ['channel', 'contact_ids'],
            properties: {
              channel: channelString,
              contact_ids: { type: 'array', items: { type: 'string' } },
            },
            additionalProperties: true,
          },
        },
      },
      additionalProperties: true,
    },
  },
  additionalProperties: true,
} as const;

export type ContactCreateEvent = FromSinchSchema<typeof contactCreateSchema>;
export type ContactUpdateEvent = FromSinchSchema<typeof contactUpdateSchema>;
export type ContactDeleteEvent = FromSinchSchema<typeof contactDeleteSchema>;
export type ContactMergeEvent = FromSinchSchema<typeof contactMergeSchema>;
export type ContactIdentitiesDuplicationEvent = FromSinchSchema<typeof contactIdentitiesDuplicationSchema>;
