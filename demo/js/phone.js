// The agent's phone calls: while the agent is available, the page's phone line (sip-line.js) is
// registered under the agent's SIP address; a phone call rings on the page like a web call, and
// answering it makes the caller the Earshot call's customer (see agent.js: answerPhone).
import { openPhoneLine } from './sip-line.js';

/**
 * The phone line's settings from the page's URL, or null when the page takes no phone calls:
 * `?sip=ws://host:port` (the SIP-over-WebSocket server scripts/sip-stack.sh prints) and optionally
 * `?sip_domain=` (the SIP domain; the server's host by default). The agent registers as
 * `sip:agent-<user>@<domain>`.
 */
export function phoneSettings(params, user) {
  const server = params.get('sip');
  if (!server) return null;
  const domain = params.get('sip_domain') || new URL(server).hostname;
  return { server, aor: `sip:agent-${user.sub}@${domain}`, displayName: user.name };
}

/**
 * A caller's number as agents and supervisors see it: country code, first three digits and last
 * four, the rest hidden (`+15550100123` → `+1 555 ••• 0123`). Numbers too short to mask that way
 * (extensions) show their last two digits only; a caller without a number is "Phone caller".
 */
export function maskNumber(number) {
  const digits = String(number ?? '').replace(/[^\d]/g, '');
  if (digits.length < 2) return 'Phone caller';
  if (digits.length < 8) return `••• ${digits.slice(-2)}`;
  const international = String(number).trim().startsWith('+');
  const country = international ? `+${digits.startsWith('1') || digits.startsWith('7') ? digits[0] : digits.slice(0, 2)} ` : '';
  const rest = digits.slice(country ? country.length - 2 : 0);
  return `${country}${rest.slice(0, 3)} ••• ${rest.slice(-4)}`;
}

// The Earshot call this tab's phone call belongs to: a reload cuts the phone leg (its WebSocket goes
// with the page), so the reloaded page must end that call rather than resume it without a caller.
const PHONE_CALL_KEY = 'earshot.phoneCall';

/** Notes (or, with null, forgets) that Earshot call `callId` carries this tab's phone call. */
export function notePhoneCall(callId) {
  if (callId) sessionStorage.setItem(PHONE_CALL_KEY, callId);
  else sessionStorage.removeItem(PHONE_CALL_KEY);
}

/** Whether Earshot call `callId` carried this tab's phone call before a reload. */
export function wasPhoneCall(callId) {
  return sessionStorage.getItem(PHONE_CALL_KEY) === callId;
}

/**
 * Keeps the phone line open exactly while the agent can take a call (`follow(true)`), and hands
 * each incoming phone call to `onRing(call)` (a sip-line.js call); calls arriving while the agent
 * is busy or on a call are turned away (the caller hears busy). `onState(text, isError)` reports.
 */
export class PhoneDesk {
  constructor({ settings, onRing, onState }) {
    this.settings = settings;
    this.onRing = onRing;
    this.onState = onState;
    this.line = null;
    this.wanted = false;
    this.busy = false;
    this.current = null; // the phone call ringing or in progress
    this.changing = Promise.resolve();
    // A page going away hangs up (BYE) while its WebSocket still can, so the caller is not left in silence.
    addEventListener('pagehide', () => this.current?.hangUp().catch(() => {}));
  }

  /** Opens or closes the line; changes are applied one after the other. */
  follow(open) {
    this.wanted = open;
    this.changing = this.changing.then(() => this.apply()).catch((error) => this.onState(`Phone line: ${error.message}`, true));
    return this.changing;
  }

  /**
   * While true (a phone call is ringing or in progress) further phone calls are refused, and the line
   * stays open even if the agent is no longer available: closing it would cut the call.
   */
  setBusy(busy) {
    this.busy = busy;
    if (!busy) this.follow(this.wanted);
  }

  async apply() {
    if (this.wanted && !this.line) {
      this.line = await openPhoneLine({
        ...this.settings,
        onCall: (call) => {
          if (!this.wanted || this.busy) return call.reject();
          this.current = call;
          call.ended.then(() => { if (this.current === call) this.current = null; });
          this.onRing(call);
        },
        onState: (state) => this.onState(`Phone line ${state}.`, state.startsWith('failed')),
      });
      this.onState(`Phone calls reach you at ${this.settings.aor}.`, false);
    } else if (!this.wanted && this.line && !this.busy) {
      const line = this.line;
      this.line = null;
      await line.close();
    }
  }
}
