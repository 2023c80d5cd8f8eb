// The supervisor's live-calls console: the team feed (calls, timers, agents, queue), one click or one
// key to monitor / whisper / barge / take over / leave, levels, join tone, and silent coaching. The
// worker decides every request; the console only shows what it was told and what it was refused.
import { Channel } from './channel.js';
import { openSpokeAudio } from './media.js';
import { SpokeLink } from './peer.js';
import { currentUser, mintToken, params } from './session.js';
import { $, offerAudioResume, el, elapsed, everySecond, MODE_LABEL, say, show } from './ui.js';

const user = currentUser('supervisor');
const toneHz = Number(params.get('tone')) || 0;
const MODES = ['monitor', 'whisper', 'barge', 'takeover'];
const KEYS = { m: 'monitor', w: 'whisper', b: 'barge', t: 'takeover', l: 'leave', escape: 'leave' };

let token;
let team;
let feed = null;
let selected = null; // call id the keys act on
let audio; // openSpokeAudio(): { context, voice, speaker, sendLevel, track, ears }
let mine = null; // { id, channel, link, mode }

window.earshotDemo = {
  role: 'supervisor',
  get audio() { return audio; },
  get mine() { return mine; },
  get feed() { return feed; },
};

$('#who').textContent = `${user.name} · team ${user.team} · may ${user.capabilities.join(', ')}`;

async function main() {
  token = await mintToken(user);
  await connectTeam();
  const deepLink = params.get('call');
  if (deepLink) await act(deepLink, 'none');
}

async function connectTeam() {
  team = new Channel(`/api/teams/${user.team}/ws`, token);
  team.on('feed', (next) => {
    feed = next;
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
  const body = $('#calls tbody');
  $('#call-count').textContent = feed.calls.length ? `(${feed.calls.length})` : '';
  if (!feed.calls.length) {
    body.replaceChildren(el('tr', { className: 'empty' }, el('td', { colSpan: 6, className: 'muted' }, 'No live calls.')));
  } else {
    body.replaceChildren(...feed.calls.map(callRow));
  }
  const waiting = feed.queue.length;
  $('#queue-summary').textContent = waiting
    ? `${waiting} waiting; longest ${Math.round(feed.longest_wait_ms / 1000)} s.`
    : 'Nobody waiting.';
  $('#queue').replaceChildren(...feed.queue.map((q) => el('li', { dataset: { queuedAt: q.queued_at } }, `${q.label} `, el('span', { className: 'timer' }))));
  $('#agents').replaceChildren(
    ...feed.agents.map((a) => el('li', {}, el('strong', {}, a.name), ` — ${a.on_call ? 'on a call' : a.available ? 'available' : 'busy'}`)),
  );
  tick();
}

function callRow(c) {
  const inIt = mine?.id === c.call_id;
  const flags = [];
  if (c.help_raised) flags.push(el('span', { className: 'flag help' }, 'help raised'));
  if (c.recording) flags.push(el('span', { className: 'flag' }, '● rec'));
  if (c.consent_required && !c.consent_given) flags.push(el('span', { className: 'flag' }, 'awaiting consent'));
  if (!c.agent_connected) flags.push(el('span', { className: 'flag warn' }, 'agent away'));
  if (!c.customer_connected) flags.push(el('span', { className: 'flag warn' }, 'customer away'));
  for (const health of c.health_flags ?? []) flags.push(el('span', { className: 'flag warn' }, String(health.kind ?? health)));
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
    dataset: { call: c.call_id },
    className: [inIt ? 'mine' : '', selected === c.call_id ? 'selected' : '', c.help_raised ? 'help' : ''].join(' '),
    onclick: () => {
      selected = c.call_id;
      renderFeed();
    },
  },
  el('td', {}, c.agent_name),
  el('td', {}, c.customer_label),
  el('td', { className: 'timer', dataset: { since: c.started_at } }),
  el('td', {}, c.supervisors.length ? c.supervisors.map((s) => el('span', { className: `badge ${s.mode}` }, `${s.name}: ${MODE_LABEL[s.mode]}`)) : el('span', { className: 'muted' }, '—')),
  el('td', {}, flags),
  el('td', { className: 'actions' }, actions));
}

function tick() {
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
    try {
      await mine.channel.request({ type: 'set_mode', mode, tone: $('#join-tone').checked });
    } catch (error) {
      if (joinedNow && mode !== 'none' && mine) await leave(); // refused on arrival: do not linger unseen
      throw error;
    }
    say(mode === 'none' ? 'Joined; not listening yet.' : `Now ${mode === 'monitor' ? 'monitoring' : mode === 'whisper' ? 'whispering' : mode === 'barge' ? 'barged in' : 'taking over'}.`);
  } catch (error) {
    say(`Refused: ${error.message}`, true);
  } finally {
    if (feed) renderFeed();
  }
}

async function join(callId) {
  await ensureAudio();
  const channel = new Channel(`/api/calls/${callId}/ws`, token);
  const current = { id: callId, channel, link: null, mode: undefined };
  current.link = new SpokeLink({ channel, track: audio.track, onStream: (stream) => audio.speaker.play(stream) });
  channel.on('signal', ({ data }) => current.link.signaled(data).catch((e) => say(`Media: ${e.message}`, true)));
  channel.on('roster', (roster) => {
    current.mode = roster.supervisors.find((s) => s.id === user.sub)?.mode;
    current.roster = roster;
    renderMine();
    if (feed) renderFeed();
  });
  channel.on('call_ended', ({ reason }) => say(`The call ended: ${reason}.`));
  channel.on('error', ({ message }) => say(message, true));
  channel.on('close', ({ reason }) => {
    if (mine === current) {
      dropMine();
      say(`You are off the call (${reason}).`);
    }
  });
  await channel.open(); // rejects with the worker's reason (other team, call full…)
  mine = current;
  current.link.hello();
  renderMine();
}

async function leave() {
  const current = mine;
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
  renderMine();
  if (feed) renderFeed();
}

function renderMine() {
  show($('#mine'), Boolean(mine));
  if (!mine) return;
  const roster = mine.roster;
  $('#mine-title').textContent = roster ? `${roster.agent.name}'s call with ${roster.customer?.label ?? 'a customer'}` : 'a call';
  $('#my-mode').textContent = mine.mode ? MODE_LABEL[mine.mode] : 'joining';
  $('#my-mode').dataset.mode = mine.mode ?? '';
}

$('#coach-form').onsubmit = async (event) => {
  event.preventDefault();
  const text = $('#coach-text').value.trim();
  if (!mine || !text) return;
  try {
    await mine.channel.request({ type: 'coach', text });
    $('#coach-sent').prepend(el('li', {}, text));
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
  const mode = KEYS[event.key.toLowerCase()];
  const target = mine?.id ?? selected;
  if (mode && target) {
    event.preventDefault();
    act(target, mode);
  }
});

main().catch((error) => say(error.message, true));
