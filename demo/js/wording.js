// The words for every state a call, a person or a supervisor's mode can be in, in one place, so the
// customer's page, the agent's page and the console say the same thing for the same state. What the
// customer is told follows the hearing matrix (BRIEF §3): they are told whom they hear, nothing more.

import { MAX_SUPERVISORS } from './limits.js';

/** A call's phase, as all three pages name it (headings, chips, the console's lists). */
export const PHASE = {
  queued: 'Waiting in the queue',
  ringing: 'Ringing',
  on_call: 'On a call',
  agent_away: 'Agent reconnecting',
  customer_away: 'Customer reconnecting',
  ended: 'Call ended',
};

/** The line every page shows when a call ended, with the worker's reason ("ended by the agent"). */
export const endedLine = (reason) => `${PHASE.ended}: ${reason}.`;

/**
 * The phase of a call line from the team feed (or anything with the same fields): ringing until its
 * agent first joined; then on the call, with either side possibly away for a moment.
 */
export function phaseOf({ answered, agent_connected: agentConnected, customer_connected: customerConnected }) {
  if (answered === false) return 'ringing'; // a line without the field is from before it: answered
  if (!agentConnected) return 'agent_away';
  if (!customerConnected) return 'customer_away';
  return 'on_call';
}

/** An agent's availability in the team, as the agent's own page says it and the console lists it. */
export const AVAILABILITY = {
  offline: { self: 'You are offline.', other: 'offline' },
  busy: { self: 'You are busy.', other: 'busy' },
  available: { self: 'You are available.', other: 'available' },
  ringing: { self: 'A call is ringing: answer it.', other: 'ringing' },
  on_call: { self: 'You are on a call.', other: 'on a call' },
};

/** How the agent sees a supervisor's mode. */
export const MODE_FOR_AGENT = {
  none: 'present, not listening',
  monitor: 'listening',
  whisper: 'coaching you (only you hear them)',
  barge: 'in the call (everyone hears them)',
  takeover: 'has taken over (talking to the customer)',
};

/** What a supervisor in a mode is doing, for the console's account of a call ("Dana is now whispering"). */
export const MODE_DOING = {
  none: 'present, not listening',
  monitor: 'monitoring',
  whisper: 'whispering to the agent',
  barge: 'barged in',
  takeover: 'taking over',
};

/** Short labels of modes, for the console. */
export const MODE_LABEL = { none: 'joined', monitor: 'monitor', whisper: 'whisper', barge: 'barge', takeover: 'takeover' };

/**
 * What a supervisor is doing in `mode` on `agent`'s call with `customer`, for the console's status
 * line, as the hearing matrix has it (BRIEF §3).
 */
export function modeLine(mode, agent, customer) {
  switch (mode) {
    case 'none': return `Opened ${agent}'s call with ${customer}: present, not listening (Enter listens).`;
    case 'monitor': return `Monitoring ${agent}'s call with ${customer}: nobody hears you.`;
    case 'whisper': return `Whispering to ${agent}: only ${agent} hears you, not ${customer}.`;
    case 'barge': return `Barged in on ${agent}'s call with ${customer}: both hear you.`;
    case 'takeover': return `Taking over from ${agent}: ${customer} hears you and no longer hears ${agent}.`;
    default: return `${mode} on ${agent}'s call with ${customer}.`;
  }
}

/** "A", "A and B", "A, B and C". */
export function listed(names) {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * Whom the customer is talking to, from their `status` (docs/PROTOCOL.md) and whether the agent ever
 * answered: in barge the agent and the supervisors they hear, in takeover those supervisors only.
 */
export function customerHears({ answered, agent_connected: agentConnected, hears_agent: hearsAgent, speakers }) {
  if (answered === false) return 'Connecting you to an agent…';
  const agent = agentConnected && hearsAgent !== false;
  if (speakers.length && !agent) return `You are talking to ${listed(speakers)}.`;
  if (speakers.length) return `You are talking to ${listed(['an agent', ...speakers])}.`;
  return agent ? 'You are talking to an agent.' : "The agent's connection dropped; please hold while they reconnect.";
}

const MODE_NAME = { monitor: 'monitor', whisper: 'whisper', barge: 'barge in', takeover: 'take over' };

/**
 * The early-barge guard's question to the supervisor, from the fields of its `confirm_required` error
 * (`call_age_ms`: how long the call has run; `guard_minutes`: the team's guard it started with).
 * @param {import('./protocol.js').ErrorReport} error
 * @param {'barge' | 'takeover'} mode
 */
export function earlyBargeQuestion({ call_age_ms: age = 0, guard_minutes: minutes = 0 }, mode) {
  const seconds = Math.floor(age / 1000);
  const clock = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  const first = minutes === 1 ? 'first minute' : `first ${minutes} minutes`;
  return `This call is ${clock} old; a ${mode} in its ${first} needs confirming. ${mode === 'barge' ? 'Barge in' : 'Take over'} anyway?`;
}

/**
 * A refused request in words, with people's names: `error` is the worker's (its `code`, its message);
 * `names` may give `takeoverHolder()` and `agent()`. Unknown codes fall back to the worker's message.
 */
export function refusal(error, { mode, takeoverHolder = () => null, agent = () => null } = {}) {
  const doing = MODE_NAME[mode] ?? mode;
  switch (error.code) {
    case 'takeover_held': return `${takeoverHolder() ?? 'Another supervisor'} has already taken over this call (one takeover at a time).`;
    case 'missing_capability': return `Your role may not ${doing}.`;
    case 'agent_exempt': return `${agent() ?? 'This agent'} is exempt from being ${mode === 'barge' ? 'barged in on' : 'taken over'}.`;
    case 'awaiting_consent': return 'The customer has not accepted the monitoring disclosure yet.';
    case 'call_full': return `This call already has ${MAX_SUPERVISORS} supervisors.`;
    case 'other_team': return 'This call belongs to another team.';
    case 'not_in_call': return 'You are not on this call.';
    case 'secure_pause': return `${agent() ?? 'The agent'} has paused the call securely (the customer may be giving card details); you can ${doing} once it ends.`;
    default: {
      const text = (error.message ?? String(error)).replace(/^refused: /, '');
      return `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}`;
    }
  }
}
