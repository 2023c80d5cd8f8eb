// The supervisor's live-calls console: the team feed (calls by attention, flags with reasons, timers,
// agents, queue); opening a call (present, not listening) shows its last minute and every party's
// level; one click or one key to monitor / whisper / barge / take over / leave, the early-barge
// confirmation, levels, join tone, silent coaching and the team's settings. The worker decides every
// request; the console only shows what it was told and what it was refused.
import { createAlerts } from './alerts.js';
import { byAttention, contextLine, flagChip, levelRows, refreshFlags } from './attention.js';
import { Channel } from './channel.js';
import { openSpokeAudio } from './media.js';
import { SpokeLink } from './peer.js';
import { params, signIn } from './session.js';
import { $, offerAudioResume, el, elapsed, everySecond, say, show } from './ui.js';
import { AVAILABILITY, MODE_LABEL, modeLine, PHASE, earlyBargeQuestion, endedLine, phaseOf, refusal } from './wording.js';

const toneHz = Number(params.get('tone')) || 0;
const MODES = ['monitor', 'whisper', 'barge', 'takeover'];
const KEYS = { enter: 'monitor', m: 'monitor', w: 'whisper', b: 'barge', t: 'takeover', l: 'leave', escape: 'leave' };

let team;
let feed = null;
let selected = null; // call id the keys act on
let audio; // openSpokeAudio(): { context, voice, speaker, sendLevel, track, ears }
let mine = null; // { id, channel, link, mode, roster }
const sentCoaching = new Map(); // call id → the coaching this supervisor sent on it, newest first
let lastExit = null; // how this supervisor last came off a call ("You left the call.", the call ended…)
/** Context lines kept per call (a long call with many switches must not grow the page without end). */
const CONTEXT_KEPT = 200;
let stateShown = 'off'; // the state the status line last described (a console starts on no call)

// There from the start, before sign-in (`session` and `alerts` exist once signed in).
window.earshotDemo = {
  role: 'supervisor',
  get alerts() { return alerts; },
  get audio() { return audio; },
  get mine() { return mine; },
  get feed() { return feed; },
  get session() { return session; },
};

const session = await signIn('supervisor');
const user = session.user;
const alerts = createAlerts({ user, toggle: $('#alerts-on'), banner: $('#alert-banner'), onOpen: (callId) => openCall(callId) });

for (const page of ['review', 'reports']) $(`#${page}-link`).href = session.link(`${page}.html`);

async function main() {
  await connectTeam();
  const deepLink = params.get('call');
  if (deepLink) await act(deepLink, 'none');
}

async function connectTeam() {
  team = new Channel(`/api/teams/${user.team}/ws`, session.token);
  team.on('feed', (next) => {
    feed = next;
    alerts.feed(next.calls);
    renderFeed();
  });
  team.on('close', ({ code, reason }) => {
    say(`Team connection ${reason}.`, code !== 1000);
    if (code !== 4409 && code !== 4401 && code !== 4403) setTimeout(connectTeam, 1000);
  });
  await team.open();
  say('Signed in.');
}

function renderFeed() {
  $('#consent-required').checked = feed.consent_required;
  $('#consent-required').disabled = false; // usable once the team's setting is known
  fillSettings(feed.settings);
  const body = $('#calls tbody');
  $('#call-count').textContent = feed.calls.length ? `(${feed.calls.length})` : '';
  if (!feed.calls.length) {
    body.replaceChildren(el('tr', { className: 'empty' }, el('td', { colSpan: 6, className: 'muted' }, 'No live calls.')));
  } else {
    body.replaceChildren(...byAttention(feed.calls).map(callRow));
  }
  const waiting = feed.queue.length;
  const ringing = feed.calls.filter((c) => phaseOf(c) === 'ringing').length;
  $('#queue-summary').textContent = [
    waiting ? `${waiting} waiting; longest ${Math.round(feed.longest_wait_ms / 1000)} s.` : 'Nobody waiting.',
    ringing ? `${ringing === 1 ? 'One call' : `${ringing} calls`} ringing (assigned, not answered yet).` : '',
  ].filter(Boolean).join(' ');
  $('#queue').replaceChildren(...feed.queue.map((q) => el('li', { dataset: { queuedAt: q.queued_at } }, `${q.label} `, el('span', { className: 'timer' }))));
  $('#agents').replaceChildren(
    ...feed.agents.map((a) => el('li', { dataset: { agent: a.id } }, el('strong', {}, a.name), ` — ${AVAILABILITY[agentState(a)].other}`)),
  );
  tick();
  sayState();
}

/** An agent's availability key (wording.js): a call assigned to them rings until they answer it. */
function agentState(agent) {
  if (!agent.on_call) return agent.available ? 'available' : 'busy';
  const line = feed.calls.find((c) => c.call_id === agent.on_call);
  return line && phaseOf(line) === 'ringing' ? 'ringing' : 'on_call';
}

function callRow(c) {
  const inIt = mine?.id === c.call_id;
  const phase = phaseOf(c);
  const flags = [];
  if (phase === 'ringing') flags.push(el('span', { className: 'flag ringing' }, PHASE.ringing.toLowerCase()));
  if (c.help_raised) flags.push(el('span', { className: 'flag help' }, 'help raised'));
  if (c.recording) flags.push(el('span', { className: 'flag' }, '● rec'));
  if (c.secure_pause) flags.push(el('span', { className: 'flag pause', title: 'Supervision and recording are paused while the customer gives card details' }, 'secure pause'));
  if (c.consent_required && !c.consent_given) flags.push(el('span', { className: 'flag' }, 'awaiting consent'));
  if (phase === 'agent_away') flags.push(el('span', { className: 'flag warn' }, PHASE.agent_away.toLowerCase()));
  if (phase !== 'ringing' && !c.customer_connected) flags.push(el('span', { className: 'flag warn' }, PHASE.customer_away.toLowerCase()));
  for (const health of c.health_flags ?? []) flags.push(flagChip(health));
  const actions = [...MODES, 'leave'].map((mode) =>
    el('button', {
      className: `act ${inIt && mine.mode === mode ? 'active' : ''}`,
      dataset: { mode },
      disabled: mode === 'leave' ? !inIt : !user.capabilities.includes(mode),
      title: mode === 'leave' ? 'Leave the call (L)' : `${mode} (${mode[0].toUpperCase()})`,
      onclick: (event) => {
        event.stopPropagation();
        act(c.call_id, mode);
      },
    }, mode === 'leave' ? 'Leave' : mode[0].toUpperCase() + mode.slice(1)),
  );
  return el('tr', {
    dataset: { call: c.call_id, phase },
    className: [inIt ? 'mine' : '', selected === c.call_id ? 'selected' : '', c.help_raised ? 'help' : ''].join(' '),
    onclick: () => openCall(c.call_id),
  },
  el('td', {}, c.agent_name),
  el('td', {}, c.customer_label),
  el('td', { className: 'timer', dataset: { since: c.started_at } }),
  el('td', {}, c.supervisors.length ? c.supervisors.map((s) => el('span', { className: `badge ${s.mode}` }, `${s.name}: ${MODE_LABEL[s.mode]}`)) : el('span', { className: 'muted' }, '—')),
  el('td', {}, flags),
  el('td', { className: 'actions' }, actions));
}

function tick() {
  refreshFlags();
  for (const cell of document.querySelectorAll('#calls .timer')) cell.textContent = elapsed(Number(cell.dataset.since));
  for (const item of document.querySelectorAll('#queue li')) {
    item.querySelector('.timer').textContent = `waiting ${elapsed(Number(item.dataset.queuedAt))}`;
  }
}
everySecond(tick);

async function ensureAudio() {
  if (!audio) {
    audio = await openSpokeAudio(toneHz);
    $('#voice-label').textContent = audio.voice.label;
    applyLevels();
    offerAudioResume(audio.context);
  }
  return audio;
}

/**
 * Clicking a call opens it: you join it present but not listening (the agent sees you), and get its
 * last minute and live levels. A call you listen on is not left for a click elsewhere.
 */
async function openCall(callId) {
  selected = callId;
  if (mine?.id === callId) return renderFeed();
  if (mine && mine.mode !== 'none') {
    say('You are listening on another call: leave it (L) before opening this one.', true);
    return renderFeed();
  }
  await act(callId, 'none');
}

/** Asks for `mode`; the early-barge guard's `confirm_required` is put to the supervisor first. */
async function requestMode(channel, mode) {
  const request = { type: 'set_mode', mode, tone: $('#join-tone').checked };
  try {
    return await channel.request(request);
  } catch (error) {
    if (error.code !== 'confirm_required') throw error;
    if (!(await confirmed(earlyBargeQuestion(error, mode)))) throw error;
    return channel.request({ ...request, confirm: true });
  }
}

/** Shows the in-page confirmation; resolves true for "Yes". */
function confirmed(text) {
  $('#confirm-text').textContent = text;
  show($('#confirm'), true);
  $('#confirm-yes').focus();
  return new Promise((resolve) => {
    const answer = (yes) => () => {
      show($('#confirm'), false);
      resolve(yes);
    };
    $('#confirm-yes').onclick = answer(true);
    $('#confirm-no').onclick = answer(false);
  });
}

/** One click (or key): take `mode` on call `callId`, joining it first (and leaving another) if needed. */
async function act(callId, mode) {
  selected = callId;
  try {
    if (mode === 'leave') {
      if (mine?.id === callId) await leave();
      return;
    }
    if (mine && mine.id !== callId) await leave();
    const joinedNow = !mine;
    if (joinedNow) await join(callId);
    // Joining made you present in no mode (the worker authorized that at admission): a click that
    // only opens the call asks for nothing more.
    if (joinedNow && mode === 'none') return;
    try {
      await requestMode(mine.channel, mode);
    } catch (error) {
      error.roster = mine?.roster; // who holds what, for the refusal's words
      if (joinedNow && mode !== 'none' && mine && error.code !== 'confirm_required') await leave(null); // refused on arrival
      throw error;
    }
    // The status line follows the new mode once the roster confirms it (sayState).
  } catch (error) {
    say(error.code === 'confirm_required' ? 'Not confirmed: nothing changed.' : `Refused: ${refusalWords(error, callId, mode)}`, true);
  } finally {
    if (feed) renderFeed();
  }
}

/** A refusal in words, naming people by their display names (from the call's roster or feed line). */
function refusalWords(error, callId, mode) {
  const line = feed?.calls.find((c) => c.call_id === callId);
  const roster = error.roster ?? (mine?.id === callId ? mine.roster : null);
  const supervisors = roster?.supervisors ?? line?.supervisors ?? [];
  return refusal(error, {
    mode,
    takeoverHolder: () => supervisors.find((s) => s.mode === 'takeover' && s.id !== user.sub)?.name,
    agent: () => roster?.agent.name ?? line?.agent_name,
  });
}

/**
 * Puts the supervisor's current state in the status line whenever that state changes (on a call in
 * a mode, or off calls and why), so it never shows a mode they are no longer in. Refusals and errors
 * stay until the next change.
 */
function sayState() {
  if (mine && mine.mode === undefined) return; // joining: the roster tells the mode
  const key = mine ? `${mine.id}:${mine.mode}` : 'off';
  if (key === stateShown) return;
  stateShown = key;
  if (!mine) return say(lastExit ?? 'Not on a call: click a call to open it.');
  const roster = mine.roster;
  say(modeLine(mine.mode, roster.agent.name, roster.customer?.label ?? 'the customer'));
}

async function join(callId) {
  await ensureAudio();
  lastExit = null;
  const channel = new Channel(`/api/calls/${callId}/ws`, session.token);
  const current = { id: callId, channel, link: null, mode: undefined, roster: null, names: new Map() };
  current.link = new SpokeLink({ channel, track: audio.track, onStream: (stream) => audio.speaker.play(stream) });
  channel.on('signal', ({ data }) => current.link.signaled(data).catch((e) => say(`Media: ${e.message}`, true)));
  channel.on('roster', (roster) => {
    current.mode = roster.supervisors.find((s) => s.id === user.sub)?.mode;
    current.roster = roster;
    for (const s of roster.supervisors) current.names.set(s.id, s.name); // context rows outlive a departure
    renderMine();
    if (feed) renderFeed();
  });
  // The call's context: the last minute on arrival, then each row as it is written (help, coaching,
  // flags, every supervisor's mode entries), so the panel is live while the supervisor is on the call.
  channel.on('context', ({ events, names }) => {
    current.context = events;
    for (const [id, name] of Object.entries(names ?? {})) current.names.set(id, name);
    if (mine === current) renderMine();
  });
  channel.on('context_added', ({ events }) => {
    current.context = [...(current.context ?? []), ...events].slice(-CONTEXT_KEPT);
    if (mine === current) renderMine();
  });
  channel.on('levels', (report) => {
    if (mine === current) $('#levels').replaceChildren(...levelRows(report, (party) => partyName(current.roster, party)));
  });
  channel.on('call_ended', ({ reason }) => {
    if (mine === current) lastExit = endedLine(reason);
  });
  channel.on('error', ({ message }) => say(message, true));
  channel.on('close', ({ reason }) => {
    if (mine === current) {
      if (!lastExit) lastExit = `You are off the call (${reason}).`;
      dropMine();
    }
  });
  await channel.open(); // rejects with the worker's reason (other team, call full…)
  mine = current;
  current.link.hello();
  renderMine();
}

/** Leaves the call; `why` becomes the status line (null: the caller says something itself). */
async function leave(why = 'You left the call.') {
  const current = mine;
  lastExit = why;
  dropMine();
  try {
    await current.channel.request({ type: 'leave' });
  } catch {
    // The socket closes as the worker removes us; either way we are out.
  }
  current.channel.close();
}

function dropMine() {
  if (!mine) return;
  mine.link.close();
  audio?.speaker.stop();
  mine = null;
  $('#levels').replaceChildren(el('li', { className: 'muted' }, "Waiting for the agent's hub…"));
  renderMine();
  if (feed) renderFeed();
  sayState();
}

/** The coaching sent on the call this supervisor is on, and only that call's. */
function renderCoaching() {
  const sent = (mine && sentCoaching.get(mine.id)) ?? [];
  $('#coach-sent').replaceChildren(...sent.map((text) => el('li', {}, text)));
}

function renderMine() {
  show($('#mine'), Boolean(mine));
  renderCoaching();
  if (!mine) return;
  const roster = mine.roster;
  $('#mine-title').textContent = roster ? `${roster.agent.name}'s call with ${roster.customer?.label ?? 'a customer'}` : 'a call';
  $('#my-mode').textContent = mine.mode === 'none' ? 'opened, not listening' : mine.mode ? MODE_LABEL[mine.mode] : 'joining';
  $('#my-mode').dataset.mode = mine.mode ?? '';
  show($('#listen-now'), mine.mode === 'none');
  const events = mine.context ?? [];
  const panel = $('#context');
  const following = panel.scrollHeight - panel.scrollTop - panel.clientHeight < 8; // at the newest line
  panel.replaceChildren(...(events.length
    ? events.map((row) => el('li', { dataset: { kind: row.kind, at: row.at } }, el('time', {}, new Date(row.at).toLocaleTimeString()), contextLine(row, (id) => actorName(mine, id))))
    : [el('li', { className: 'muted' }, 'Nothing in the last minute yet.')]));
  if (following) panel.scrollTop = panel.scrollHeight; // unless the supervisor scrolled back to read
}

/** A party's display name in `roster` ("agent", "customer" or {supervisor}). */
function partyName(roster, party) {
  if (party === 'agent') return roster?.agent.name ?? 'Agent';
  if (party === 'customer') return roster?.customer.label ?? 'Customer';
  return roster?.supervisors.find((s) => s.id === party.supervisor)?.name ?? party.supervisor;
}

/** Who an audit row's actor is, by id. */
/** The name of `id` on the call `current` (its agent, or any supervisor it has seen), for its context. */
function actorName(current, id) {
  if (id === current.roster?.agent.id) return current.roster.agent.name;
  return current.names.get(id) ?? (id === user.sub ? user.name : id);
}

$('#listen-now').onclick = () => mine && act(mine.id, 'monitor');

const SETTINGS_PERCENT = new Set(['overtalk_share', 'talk_ratio']); // shares on the wire, percent on screen

/** Shows the team's settings, unless the supervisor is editing them. */
function fillSettings(settings) {
  const form = $('#settings-form');
  if (!settings || form.contains(document.activeElement)) return;
  const { health, ...top } = settings;
  const values = { ...top, ...health };
  for (const input of form.querySelectorAll('input')) {
    const value = values[input.name];
    if (input.type === 'checkbox') input.checked = Boolean(value);
    else input.value = SETTINGS_PERCENT.has(input.name) ? Math.round(value * 100) : value;
  }
}

$('#settings-form').onsubmit = async (event) => {
  event.preventDefault();
  const health = {};
  const settings = { health };
  const TOP = new Set(['early_barge_minutes', 'retention_days']);
  for (const input of event.target.querySelectorAll('input')) {
    const value = Number(input.value);
    if (input.type === 'checkbox') settings[input.name] = input.checked;
    else if (TOP.has(input.name)) settings[input.name] = value;
    else health[input.name] = SETTINGS_PERCENT.has(input.name) ? value / 100 : value;
  }
  try {
    await team.request({ type: 'set_settings', settings });
    say('Team settings saved; new calls use them.');
  } catch (error) {
    say(`Settings not saved: ${error.message}`, true);
  }
};

$('#coach-form').onsubmit = async (event) => {
  event.preventDefault();
  const text = $('#coach-text').value.trim();
  if (!mine || !text) return;
  try {
    const callId = mine.id;
    await mine.channel.request({ type: 'coach', text });
    sentCoaching.set(callId, [text, ...(sentCoaching.get(callId) ?? [])]);
    renderCoaching();
    $('#coach-text').value = '';
  } catch (error) {
    say(`Not sent: ${error.message}`, true);
  }
};

$('#consent-required').onchange = async (event) => {
  try {
    await team.request({ type: 'set_consent_required', required: event.target.checked });
  } catch (error) {
    say(error.message, true);
  }
};

function applyLevels() {
  const listen = Number($('#listen-level').value);
  const whisper = Number($('#whisper-level').value);
  $('#listen-level-out').textContent = `${listen} dB`;
  $('#whisper-level-out').textContent = `${whisper} dB`;
  if (!audio) return;
  audio.speaker.setLevel(listen);
  audio.sendLevel.gain.setTargetAtTime(10 ** (whisper / 20), audio.context.currentTime, 0.01); // how loud the agent hears you
}
$('#listen-level').oninput = applyLevels;
$('#whisper-level').oninput = applyLevels;

document.addEventListener('keydown', (event) => {
  if (event.target.closest('input, textarea') && event.target.type !== 'range' && event.target.type !== 'checkbox') return;
  if (event.key === 'Enter' && event.target.closest('button, summary, a')) return; // Enter presses those
  if (!$('#confirm').hidden) return; // the confirmation is answered with its buttons
  const mode = KEYS[event.key.toLowerCase()];
  const target = mine?.id ?? selected;
  if (mode && target) {
    event.preventDefault();
    act(target, mode);
  }
});

main().catch((error) => say(error.message, true));
