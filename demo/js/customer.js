// The customer's page: call the team's queue (or open an agent's call link), hear and accept the
// disclosure, talk to the agent over one WebRTC link, hang up. The customer's client only ever learns
// what docs/PROTOCOL.md's `status` tells it; supervisor audio reaches it only when it may be heard.
import { Channel } from './channel.js';
import { openSpokeAudio } from './media.js';
import { SpokeLink } from './peer.js';
import { mintToken, params } from './session.js';
import { USERS } from './users.js';
import { $, offerAudioResume, onClick, elapsed, everySecond, say, show } from './ui.js';
import { PHASE, customerHears, endedLine } from './wording.js';

const toneHz = Number(params.get('tone')) || 0;
const linkCall = params.get('call'); // an agent's call link
const RECONNECT_MS = 1000;

/** The named demo customer, or a guest for a call link. */
function whoAmI() {
  const named = USERS.find((u) => u.sub === params.get('user') && u.role === 'customer');
  if (named) return named;
  if (linkCall && params.get('team')) {
    return { sub: `guest-${crypto.randomUUID().slice(0, 8)}`, name: 'Guest', role: 'customer', team: params.get('team') };
  }
  location.replace('./');
  throw new Error('no customer named in the URL');
}

const user = whoAmI();
let token;
let audio; // openSpokeAudio(): { context, voice, speaker, sendLevel, track, ears }
let call = null;
let startedAt = null; // when the agent answered: the call's time counts from there, not from ringing

window.earshotDemo = { role: 'customer', get audio() { return audio; }, get call() { return call; } };

// The call this tab is on survives a reload (sessionStorage is per tab), so the customer can rejoin.
const CALL_KEY = `earshot.call.${user.sub}`;
// When the agent answered this call (ms epoch), kept per tab like the call itself: a reload while the
// agent is away must not show the call as ringing again.
const answeredKey = (callId) => `earshot.answered.${callId}`;
const unfinishedCall = linkCall ?? sessionStorage.getItem(CALL_KEY);

$('#who').textContent = `${user.name} · calling team ${user.team}`;
$('#waiting h2').textContent = PHASE.queued;
$('#call-button').textContent = unfinishedCall ? (linkCall ? 'Join the call' : 'Rejoin your call') : `Call team ${user.team}`;
say(unfinishedCall && !linkCall ? 'Your call is still on: rejoin it.' : 'Ready.');

async function ensureAudio() {
  if (!audio) {
    audio = await openSpokeAudio(toneHz);
    $('#voice-label').textContent = audio.voice.label;
    offerAudioResume(audio.context);
  }
  return audio;
}

$('#call-button').onclick = async () => {
  $('#call-button').disabled = true;
  try {
    await ensureAudio();
    token = (await mintToken(user, linkCall)).token;
    const rejoin = call === null && sessionStorage.getItem(CALL_KEY);
    if (linkCall || rejoin) await joinCall(linkCall ?? rejoin);
    else await waitInQueue();
  } catch (error) {
    $('#call-button').disabled = false;
    say(error.message, true);
  }
};

async function waitInQueue() {
  const queue = new Channel(`/api/teams/${user.team}/ws`, token);
  queue.on('queued', ({ position }) => {
    $('#position').textContent = position;
    show($('#start'), false);
    show($('#waiting'), true);
    say(`${PHASE.queued}.`);
  });
  queue.on('assigned', ({ call_id: callId }) => {
    queue.close();
    joinCall(callId);
  });
  await queue.open();
}

async function joinCall(callId) {
  call = { id: callId, ended: false, link: null, channel: null };
  sessionStorage.setItem(CALL_KEY, callId);
  startedAt = Number(sessionStorage.getItem(answeredKey(callId))) || null;
  renderPhase();
  show($('#start'), false);
  show($('#waiting'), false);
  show($('#call'), true);
  await openCallSocket(call);
}

async function openCallSocket(current) {
  const channel = new Channel(`/api/calls/${current.id}/ws`, token);
  current.channel = channel;
  current.link?.close();
  current.link = new SpokeLink({
    channel,
    track: audio.track,
    onStream: (stream) => audio.speaker.play(stream),
  });
  channel.on('signal', ({ data }) => current.link.signaled(data).catch((e) => say(`Media: ${e.message}`, true)));
  // The hub makes every offer. An agent already in the room is asked for one; an agent who is not
  // (the call still rings, or they are reconnecting) offers when they arrive, since their roster
  // shows us connected. Asking them while absent is a signal the worker refuses: the peer is not there.
  let firstStatus = true;
  channel.on('status', (status) => {
    if (firstStatus && status.agent_connected) current.link.hello();
    firstStatus = false;
    renderStatus(status);
  });
  channel.on('call_ended', ({ reason }) => finish(endedLine(reason)));
  channel.on('error', ({ message }) => say(message, true));
  channel.on('close', ({ code, reason }) => {
    if (current.ended || code === 1000 || code === 4410 || code === 4404) return finish(`Call ${reason}.`);
    if (code === 4409) return say('This call was opened in another tab.', true);
    say(`Connection ${reason}; reconnecting…`, true);
    setTimeout(() => call === current && openCallSocket(current), RECONNECT_MS);
  });
  try {
    await channel.open();
  } catch (error) {
    finish(`Could not join the call: ${error.message}.`);
  }
}

let disclosureSpoken = false;

/** The call's heading: ringing until the agent first answered, then on a call with its time. */
function renderPhase() {
  $('#call-phase').textContent = startedAt ? PHASE.on_call : PHASE.ringing;
  show($('#call-timer'), Boolean(startedAt));
}

function renderStatus(status) {
  if (status.agent_connected && !startedAt && call) {
    startedAt = Date.now();
    sessionStorage.setItem(answeredKey(call.id), String(startedAt));
  }
  renderPhase();
  $('#agent-state').textContent = customerHears({ ...status, answered: Boolean(startedAt) });
  const needsConsent = status.disclosure_required && !status.consent_given;
  show($('#disclosure'), needsConsent);
  if (needsConsent && !disclosureSpoken) {
    disclosureSpoken = true;
    speak($('#disclosure-text').textContent);
  }
  show($('#recording'), status.recording);
  // Only supervisors the customer hears are ever named (barge or takeover): customerHears says whom.
  say(needsConsent ? 'Please read the notice.' : startedAt ? 'Connected.' : `${PHASE.ringing}…`);
}

/** Reads the disclosure aloud where the browser can (people should hear it, not only see it). */
function speak(text) {
  try {
    if ('speechSynthesis' in window) speechSynthesis.speak(new SpeechSynthesisUtterance(text));
  } catch {
    // No voice available: the notice stays on screen.
  }
}

onClick('#consent', async () => {
  await call.channel.request({ type: 'consent' });
  show($('#disclosure'), false);
});

onClick('#hang-up', async () => {
  await call.channel.request({ type: 'end_call' });
});

everySecond(() => {
  if (call && startedAt) $('#call-timer').textContent = elapsed(startedAt);
});

function finish(message) {
  if (!call) return;
  call.ended = true;
  sessionStorage.removeItem(CALL_KEY);
  sessionStorage.removeItem(answeredKey(call.id));
  call.link?.close();
  call.channel?.close();
  call = null;
  startedAt = null;
  audio?.speaker.stop();
  show($('#call'), false);
  show($('#disclosure'), false);
  show($('#start'), true);
  $('#call-button').disabled = false;
  $('#call-button').textContent = linkCall ? 'Join the call' : `Call team ${user.team}`;
  say(message);
}
