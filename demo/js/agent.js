// The agent's page: availability in the team, incoming calls, and the call itself with the agent's
// browser as the hub of the star (js/hub.js mixes everyone; js/peer.js links each party).
import { Channel } from './channel.js';
import { playEchoReferenced } from './echo-path.js';
import { reportHealth } from './health-report.js';
import { Hub } from './hub.js';
import { partyKey, partyOfKey } from './party.js';
import { HubLink } from './peer.js';
import { PhoneDesk, maskNumber, notePhoneCall, phoneSettings, wasPhoneCall } from './phone.js';
import { PhoneConsent } from './phone-consent.js';
import { Recorder } from './recorder.js';
import { bindSecurePause, renderSecurePause } from './secure-pause.js';
import { openVoice, startAudio } from './media.js';
import { api, params, signIn } from './session.js';
import { $, offerAudioResume, onClick, el, elapsed, everySecond, say, show } from './ui.js';
import { AVAILABILITY, MODE_FOR_AGENT, PHASE, endedLine } from './wording.js';

const toneHz = Number(params.get('tone')) || 0;
const RECONNECT_MS = 1000;

let team;
let available = false;
let audio; // { context, voice, ears } once the first call starts
let call = null; // the call in progress
let joining = null; // the id of the call being joined (audio and the hub start first)
let status = { available: false, on_call: null }; // the team's last agent_status

/** The page's state, for people debugging and for the end-to-end tests. */
window.earshotDemo = { role: 'agent', get session() { return session; }, get call() { return call; }, get audio() { return audio; } };

const session = await signIn('agent');
// Their reviews open in a tab of their own: leaving this page would drop a call in progress.
$('#my-reviews-link').href = session.link('review.html');
const user = session.user;
// Phone calls (phone.js), when the page was given a SIP server: the line is open while available.
const phoneSetup = phoneSettings(params, user);
const phone = phoneSetup && new PhoneDesk({ settings: phoneSetup, onRing: ringPhone, onState: say });

async function main() {
  await connectTeam();
}

async function connectTeam() {
  team = new Channel(`/api/teams/${user.team}/ws`, session.token);
  let firstStatus = true;
  team.on('agent_status', (next) => {
    status = next;
    available = status.available;
    renderAvailability();
    phone?.follow(available && !status.on_call);
    if (!status.on_call && !phone?.busy) show($('#ring'), false); // a rung call the customer gave up on
    $('#toggle-available').textContent = available ? 'Become busy' : 'Become available';
    $('#toggle-available').disabled = Boolean(status.on_call);
    $('#create-link').disabled = Boolean(status.on_call);
    // After a reload the team still knows our call: take it back without a click.
    if (firstStatus && status.on_call && !call) {
      if (wasPhoneCall(status.on_call)) endPhoneCallAfterReload(status.on_call);
      else joinCall(status.on_call, 'Call resumed.');
    }
    firstStatus = false;
  });
  team.on('ring', ({ call_id: callId, customer_label: label }) => {
    $('#ring-label').textContent = label;
    $('#ring h2').textContent = PHASE.ringing;
    $('#answer').onclick = () => {
      show($('#ring'), false);
      joinCall(callId, 'Call answered.');
    };
    show($('#ring'), true);
    say(`${label} is calling.`);
  });
  team.on('close', ({ code, reason }) => {
    say(`Team connection ${reason}.`, code !== 1000);
    if (code !== 4409 && code !== 4401 && code !== 4403) setTimeout(connectTeam, RECONNECT_MS);
  });
  await team.open();
  say(call ? 'Back in the team.' : 'Signed in. Become available to take calls.');
}

onClick('#toggle-available', async () => {
  await team.request({ type: 'set_available', available: !available });
});

onClick('#create-link', async () => {
  const { customer_path: path } = await api('POST', '/api/calls', session.token, { customer_label: 'Link customer' });
  const url = new URL(path, location.href);
  url.searchParams.set('team', user.team); // the customer page signs the guest into this team
  $('#link-url').href = url;
  $('#link-url').textContent = url;
  show($('#link'), true);
  joinCall(new URLSearchParams(url.search).get('call'), 'Waiting for the customer to open the link.');
});

/**
 * Where the agent stands: the team puts a rung call on them at once (`on_call`), but they are on it
 * only once they answered; until then it rings.
 */
function renderAvailability() {
  const state = status.on_call
    ? (call || joining === status.on_call ? 'on_call' : 'ringing')
    : status.available ? 'available' : 'busy';
  $('#availability').textContent = AVAILABILITY[state].self;
  $('#availability').dataset.state = state;
}

async function ensureAudio() {
  if (!audio) {
    const context = await startAudio();
    const voice = await openVoice(context, toneHz);
    const ears = new GainNode(context);
    // What the agent hears plays where the browser's echo canceller hears it too, so the customer's
    // voice and a whisper do not go back out through speakers and microphone (echo-path.js).
    const playback = await playEchoReferenced(context, ears);
    audio = { context, voice, ears, playback };
    $('#voice-label').textContent = voice.label;
    $('#echo-note').textContent = playback.referenced
      ? 'Use a headset: on speakers, echo cancellation does its best.'
      : `Use a headset: echo cancellation cannot hear the call here (${playback.reason}), so on speakers the customer may hear themselves and any whisper.`;
    offerAudioResume(context);
  }
  return audio;
}

/** Opens the call room and becomes the hub of the call's star. */
async function joinCall(callId, greeting) {
  if (call || joining) return;
  joining = callId;
  renderAvailability();
  let hub;
  try {
    const { context, voice } = await ensureAudio();
    hub = await Hub.create(context, voice.node, audio.ears);
  } finally {
    joining = null;
  }
  const recorder = new Recorder({ hub, callId, token: () => session.token, onError: (message) => say(message, true) });
  call = { id: callId, hub, recorder, links: new Map(), roster: null, channel: null, ended: false, helpRaised: false, startedAt: null, health: null, recording: false };
  const current = call;
  // The call goes on without health signals if their module fails to load; the console just shows none.
  current.health = await reportHealth(hub, (frame) => current.channel?.send(frame))
    .catch((error) => say(`Call health is off: ${error.message}`, true) ?? null);
  show($('#idle'), false);
  show($('#call'), true);
  await openCallSocket(greeting);
}

async function openCallSocket(greeting) {
  const current = call;
  const channel = new Channel(`/api/calls/${current.id}/ws`, session.token);
  current.channel = channel;
  let firstRoster = true;
  channel.on('roster', (roster) => {
    current.roster = roster;
    current.health?.watched(roster.supervisors.length > 0);
    renderRoster(roster);
    current.recorder.follow(roster.recording);
    syncLinks(current, roster, firstRoster);
    askPhoneConsent(current);
    firstRoster = false;
  });
  channel.on('matrix', (event) => current.hub.applyMatrix(event));
  channel.on('signal', ({ from, data }) => {
    if (data?.kind === 'hello') startLink(current, from);
    else current.links.get(partyKey(from))?.answered(data).catch((e) => say(`Media: ${e.message}`, true));
  });
  channel.on('coaching', ({ name, text }) => {
    const list = $('#coaching');
    list.querySelector('.muted')?.remove();
    list.append(el('li', {}, el('strong', {}, `${name}: `), text));
  });
  channel.on('call_ended', ({ reason }) => finishCall(endedLine(reason)));
  channel.on('error', ({ message }) => say(message, true));
  channel.on('close', ({ code, reason }) => {
    if (current.ended || code === 1000 || code === 4410 || code === 4404) return finishCall(`Call ${reason}.`);
    if (code === 4409) return say('This call was opened in another tab.', true);
    say(`Call connection ${reason}; reconnecting…`, true);
    setTimeout(() => call === current && openCallSocket('Reconnected.'), RECONNECT_MS);
  });
  try {
    await channel.open();
    say(greeting);
  } catch (error) {
    if (error.closeCode === 4409) return;
    finishCall(`Could not join the call: ${error.message}.`);
  }
}

/** Links every party already present when we (re)join; drops links of supervisors who left. */
function syncLinks(current, roster, firstRoster) {
  const present = new Set(roster.supervisors.map((s) => s.id));
  for (const key of current.links.keys()) {
    const id = partyOfKey(key).supervisor;
    if (id && !present.has(id)) {
      current.links.get(key).close();
      current.links.delete(key);
      current.hub.release(id);
    }
  }
  if (!firstRoster) return; // later arrivals say hello themselves
  if (roster.customer?.connected) startLink(current, 'customer');
  for (const s of roster.supervisors) startLink(current, { supervisor: s.id });
}

/** Whether `party` (the customer or a supervisor) is in the call, as the latest roster says. */
function isPresent(roster, party) {
  if (party === 'customer') return Boolean(roster?.customer?.connected);
  return Boolean(roster?.supervisors.some((s) => s.id === party.supervisor));
}

function startLink(current, party) {
  const key = partyKey(party);
  let link = current.links.get(key);
  if (!link) {
    link = new HubLink({
      channel: current.channel,
      to: party,
      track: current.hub.feedFor(party),
      onStream: (stream) => current.hub.attach(party, stream),
      present: () => isPresent(current.roster, party),
    });
    current.links.set(key, link);
  }
  link.channel = current.channel;
  link.start().catch((e) => say(`Media: ${e.message}`, true));
}

function renderRoster(roster) {
  call.startedAt = roster.started_at;
  call.helpRaised = roster.help_raised;
  call.recording = roster.recording;
  $('#record').textContent = roster.recording ? 'Stop recording' : 'Record';
  $('#record').classList.toggle('raised', roster.recording);
  $('#recording-state').textContent = roster.recording ? 'Recording.' : '';
  $('#customer-label').textContent = roster.customer?.label ?? 'the customer';
  // A customer who was here and went is reconnecting (as the console says), not awaited.
  call.customerSeen ||= Boolean(roster.customer?.connected);
  $('#customer-state').textContent = roster.customer?.connected
    ? 'The customer is connected.'
    : call.customerSeen ? `${PHASE.customer_away}…` : 'Waiting for the customer…';
  $('#raise-hand').textContent = roster.help_raised ? 'Lower hand' : 'Raise hand';
  $('#raise-hand').classList.toggle('raised', roster.help_raised);
  renderSecurePause(roster);
  const list = $('#supervisors');
  list.replaceChildren(
    ...(roster.supervisors.length
      ? roster.supervisors.map((s) => el('li', { dataset: { mode: s.mode, id: s.id } }, el('strong', {}, s.name), ` — ${MODE_FOR_AGENT[s.mode]}`))
      : [el('li', { className: 'muted' }, 'No supervisor on this call.')]),
  );
}

everySecond(() => {
  if (call?.startedAt) $('#call-timer').textContent = elapsed(call.startedAt);
});

bindSecurePause(() => call);

onClick('#raise-hand', async () => {
  await call.channel.request({ type: 'raise_hand', raised: !call.helpRaised });
});

onClick('#record', async () => {
  // The worker refuses to start before the customer's consent where the team requires it.
  await call.channel.request({ type: 'set_recording', active: !call.recording });
});

onClick('#hang-up', async () => {
  await call.channel.request({ type: 'end_call' });
});

/** A phone call rings on the page like a web call; answering it opens an Earshot call for it. */
function ringPhone(phoneCall) {
  phone.setBusy(true);
  const label = maskNumber(phoneCall.from.number);
  $('#ring-label').textContent = label;
  $('#ring h2').textContent = PHASE.ringing;
  $('#answer').onclick = () => {
    show($('#ring'), false);
    answerPhone(phoneCall, label).catch((error) => {
      say(`Could not take the phone call: ${error.message}.`, true);
      phoneCall.hangUp();
    });
  };
  phoneCall.ended.then(() => {
    if (call?.phone !== phoneCall) show($('#ring'), false); // the caller gave up while it rang
    if (!call?.phone || call.phone === phoneCall) phone.setBusy(false);
  });
  show($('#ring'), true);
  say(`${label} is calling.`);
}

/**
 * The caller becomes the call's customer: their audio is the hub's customer input, the hub's
 * customer feed (as the worker's matrix mixes it) is what they hear. Hanging up ends the call.
 */
async function answerPhone(phoneCall, label) {
  const { customer_path: path } = await api('POST', '/api/calls', session.token, { customer_label: label, phone: true });
  await joinCall(new URL(path, location.href).searchParams.get('call'), 'Phone call answered.');
  const current = call;
  current.phone = phoneCall;
  notePhoneCall(current.id);
  current.phoneConsent = new PhoneConsent(current.hub);
  const heard = await phoneCall.accept(new MediaStream([current.phoneConsent.track]));
  current.hub.attach('customer', heard);
  askPhoneConsent(current);
  phoneCall.ended.then((by) => {
    if (call === current && by === 'caller') current.channel.request({ type: 'end_call' }).catch(() => finishCall('The caller hung up.'));
  });
}

/**
 * Where the team requires consent, the phone caller hears the disclosure before anyone may listen,
 * and the hub tells the worker once they consented (js/phone-consent.js); once per call. Until the
 * roster says whether consent is due, the caller hears nothing from the hub.
 */
function askPhoneConsent(current) {
  const caller = current.roster?.customer;
  const heard = current.hub.sourceOf('customer');
  if (!current.phoneConsent || !heard || !caller || current.phoneConsent.asked) return;
  if (!caller.consent_required || caller.consent_given) return current.phoneConsent.release();
  const pressOne = Boolean(caller.phone_press_one);
  say(pressOne ? 'The caller hears the disclosure; supervisors may listen once they press 1.' : 'The caller hears the disclosure; supervisors may listen once it has played.');
  current.phoneConsent.ask({ pressOne, heard })
    .then((how) => current.channel.request({ type: 'consent' }).then(() => say(`The caller consented (${how}).`)))
    .catch((error) => call === current && say(`The caller's consent: ${error.message}.`, true));
}

/** The reloaded page's phone call is gone with the old page: end its Earshot call too. */
async function endPhoneCallAfterReload(callId) {
  notePhoneCall(null);
  await joinCall(callId, 'Ending the phone call…');
  if (!call) return;
  call.endNote = 'The phone call ended: the page reloaded, and its phone line went with it.';
  await call.channel.request({ type: 'end_call' });
}

function finishCall(message) {
  if (!call) return;
  const ended = call;
  if (ended.phone) {
    ended.phoneConsent?.stop();
    ended.phone.hangUp().catch(() => {});
    notePhoneCall(null);
  }
  ended.ended = true;
  call = null;
  renderAvailability();
  // The recorder lets go of the mixer first; its last chunk and the completion marker still go up.
  ended.recorder.stop().catch((error) => say(`Recording: ${error.message}`, true));
  for (const link of ended.links.values()) link.close();
  ended.health?.stop();
  renderSecurePause(null);
  ended.hub.close();
  ended.channel?.close();
  show($('#call'), false);
  show($('#idle'), true);
  show($('#link'), false);
  $('#coaching').replaceChildren(el('li', { className: 'muted' }, 'Messages from supervisors appear here; the customer never sees them.'));
  say(ended.endNote ?? message);
}

main().catch((error) => say(error.message, true));
