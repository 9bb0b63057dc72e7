// A small IVR on Sinch Voice, shared by the Express and Koa examples:
// ICE → greeting + menu (1 sales, 2 support), PIE → connect or say goodbye,
// DiCE → logged (switchboard records every call in the store by itself).
import { svaml } from 'switchboard';

const E164 = /^\+[1-9][0-9]{1,14}$/;

const MAIN_MENU = {
  locale: 'en-US',
  menus: [
    {
      id: 'main',
      mainPrompt: '#tts[For sales, press 1. For support, press 2.]',
      repeatPrompt: '#tts[Sorry, press 1 for sales or 2 for support.]',
      repeats: 2,
      maxDigits: 1,
      timeoutMills: 5000,
      options: [
        { dtmf: '1', action: 'return(sales)' },
        { dtmf: '2', action: 'return(support)' },
      ],
    },
  ],
};

/**
 * Registers the IVR hooks on a Sinch Voice router (`sb.sinchVoice` or a
 * `sinchVoice()` provider). A department without a number is answered with
 * an apology instead of a transfer.
 */
export function registerIvr(voice, { salesNumber, supportNumber } = {}) {
  const departments = { sales: salesNumber, support: supportNumber };
  for (const [name, number] of Object.entries(departments)) {
    // Checked here rather than at call time, where a bad number would only
    // show up as a logged fallback and a caller who got hung up on.
    if (number !== undefined && !E164.test(number)) {
      throw new Error(`registerIvr: ${name}Number must be E.164 with a leading + (e.g. +15551000003), got ${JSON.stringify(number)}`);
    }
  }

  voice.onIce(() => svaml.ice().say('Thanks for calling Example Inc.', 'en-US').runMenu(MAIN_MENU));

  voice.onPie((event, ctx) => {
    const { type, value } = event.menuResult;
    const number = type === 'return' ? departments[value] : undefined;
    if (number) {
      return svaml.pie().setCookie('department', value).say(`Connecting you to ${value}.`, 'en-US').connectPstn(number);
    }
    ctx.logger.info({ callId: event.callid, menuResult: type, value }, 'ivr: no department to connect to');
    return svaml.pie().say('Sorry, nobody can take your call right now. Goodbye.', 'en-US').hangup();
  });

  voice.onDice((event, ctx) => {
    ctx.logger.info(
      { callId: event.callid, result: event.result, reason: event.reason, durationSec: event.duration, department: ctx.call?.cookies?.department },
      'ivr: call ended',
    );
  });
}
