// The customer's page: call the team's queue (or open an agent's call link), hear and accept the
// disclosure, talk to the agent over one WebRTC link, hang up. The customer's client only ever learns
// what docs/PROTOCOL.md's `status` tells it; supervisor audio reaches it only when it may be heard.
import { Channel } from './channel.js';
import { openSpokeAudio } from './media.js';
import { SpokeLink } from './peer.js';
import { mintToken, params } from './session.js';
import { USERS } from './users.js';
import { $, offerAudioResume, onClick, elapsed, everySecond, say, show } from './ui.js';

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
let startedAt = null;

window.earshotDemo = { role: 'customer', get audio() { return audio; }, get call() { return call; } };

// The call this tab is on survives a reload (sessionStorage is per tab), so the customer can rejoin.
const CALL_KEY = `earshot.call.${user.sub}`;
const unfinishedCall = linkCall ?? sessionStorage.getItem(CALL_KEY);

$('#who').textContent = `${user.name} · calling team ${user.team}`;
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
    token = await mintToken(user, linkCall);
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
    say('Waiting for an agent.');
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
  channel.on('status', renderStatus);
  channel.on('call_ended', ({ reason }) => finish(`Call ended: ${reason}.`));
  channel.on('error', ({ message }) => say(message, true));
  channel.on('close', ({ code, reason }) => {
    if (current.ended || code === 1000 || code === 4410 || code === 4404) return finish(`Call ${reason}.`);
    if (code === 4409) return say('This call was opened in another tab.', true);
    say(`Connection ${reason}; reconnecting…`, true);
    setTimeout(() => call === current && openCallSocket(current), RECONNECT_MS);
  });
  try {
    await channel.open();
    startedAt ??= Date.now();
    current.link.hello();
  } catch (error) {
    finish(`Could not join the call: ${error.message}.`);
  }
}

let disclosureSpoken = false;

function renderStatus(status) {
  $('#agent-state').textContent = status.agent_connected ? 'You are talking to an agent.' : 'Connecting to an agent…';
  const needsConsent = status.disclosure_required && !status.consent_given;
  show($('#disclosure'), needsConsent);
  if (needsConsent && !disclosureSpoken) {
    disclosureSpoken = true;
    speak($('#disclosure-text').textContent);
  }
  show($('#recording'), status.recording);
  // Only supervisors the customer hears are ever named (barge or takeover).
  const speakers = $('#speakers');
  speakers.textContent = status.speakers.length ? `Also speaking with you: ${status.speakers.join(', ')}.` : '';
  show(speakers, status.speakers.length > 0);
  say(needsConsent ? 'Please read the notice.' : 'Connected.');
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
