// The post-call review page: the team's ended calls in a date range; an opened call's recording takes
// in a player with their waveform, the call's timeline on the same axis (click a mark to hear that
// moment), reviewers' notes pinned on it, and the QA panel (review-qa.js). The worker decides
// everything (who may see a call, what a valid review is); the page shows what it was given and, on a
// refusal, the worker's own words. An agent signing in here gets their own reviews (my-reviews.js).
import { apiResult, params, signIn } from './session.js';
import { $, dayFromToday, el, midnight, say, show } from './ui.js';
import { makeAxis, mss, renderLegend, renderTimeline } from './timeline.js';
import { qaPanel } from './review-qa.js';
import { listComments, wireCommentForm } from './timeline-comments.js';
import { Waveform } from './waveform.js';
import { showMyReviews } from './my-reviews.js';
import { FILTERS, currentFilters, filterQuery, filtersIn, listSample, offerPeople, setFilters } from './call-filters.js';

let review = null; // the open call's Review (docs/PROTOCOL.md)
let take = null; // the take in the player: a Recording plus `ends_at` (ms)
let decoded = null; // its AudioBuffer, once decoded
let generation = 0; // bumped per call or take opened: a late answer for one no longer open is dropped
let listGeneration = 0; // bumped per list asked for: a late answer for an older range is dropped
let objectUrl = null;
const seconds = new Map(); // take number → decoded length in s
let decoder = null;

const audio = $('#audio');
const waveform = new Waveform({ canvas: $('#waveform'), playhead: $('#playhead'), audio, onSeek: seekTo });

window.earshotDemo = { role: 'reviewer', get session() { return session; }, get review() { return review; }, get take() { return take; } };

const session = await signIn(['supervisor', 'agent']);

$('#live-link').href = session.link(session.user.role === 'agent' ? 'agent.html' : 'console.html');
$('#reports-link').href = session.link('reports.html');
$('#scorecard-link').href = session.link('scorecard.html');

const qa = qaPanel({ request: (...args) => request(...args), me: session.user, current: () => review, onSaved: refreshQa });
wireCommentForm($('#note-form'), {
  request: (...args) => request(...args),
  context: () => ({ review, position: take && audio.src ? take.started_at + audio.currentTime * 1000 : null }),
  onAdded: (comment) => {
    review.comments = [...(review.comments ?? []), comment].sort((a, b) => a.at - b.at);
    showComments();
    renderLane();
    say('Note added to the timeline.');
  },
});
renderLegend($('#timeline-legend'));

async function main() {
  say('Signed in.');
  // A report's link names the window and the filters; without, the last 7 days, today included.
  $('#from').value = params.get('from') ?? dayFromToday(-6);
  $('#to').value = params.get('to') ?? dayFromToday(0);
  setFilters(filtersIn(params));
  const opening = params.get('call');
  await Promise.all([loadCalls(), opening ? openCall(opening) : null]);
}

/** An HTTP call as this supervisor → `{ status, data }`; the page words each refusal itself. */
const request = (method, path, body) => apiResult(method, path, session.token, body);

const when = (ms) => new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });

// ---- The call list ------------------------------------------------------------------------------

async function loadCalls() {
  if (!$('#from').value || !$('#to').value) return say('Pick both days.', true);
  const from = midnight($('#from').value);
  const to = midnight($('#to').value, 1); // the "to" day is included
  if (from >= to) return say('The first day is after the last.', true);
  const asked = ++listGeneration;
  const filters = filterQuery(currentFilters());
  keepInUrl({ from: $('#from').value, to: $('#to').value, ...currentFilters() });
  const [{ status, data }] = await Promise.all([
    request('GET', `/api/reports/calls?from=${from}&to=${to}${filters ? `&${filters}` : ''}`),
    loadPeople(from, to, asked),
  ]);
  if (asked !== listGeneration) return; // a later range was picked meanwhile: its answer is the one shown
  if (status !== 200) return say(`Calls not listed: ${data.message ?? `HTTP ${status}`}`, true);
  const body = $('#calls tbody');
  $('#call-count').textContent = data.calls.length ? `(${data.calls.length})` : '';
  if (!data.calls.length) {
    const range = `${new Date(from).toLocaleDateString()} to ${new Date(to - 1).toLocaleDateString()}`;
    const filtered = filters ? ' with these filters' : '';
    body.replaceChildren(el('tr', { className: 'empty' }, el('td', { colSpan: 8, className: 'muted' }, `No ended calls from ${range}${filtered}.`)));
    return;
  }
  body.replaceChildren(...data.calls.map(callRow));
}

function callRow(c) {
  const outcome = !c.reviewed ? '—' : c.resolved ? 'resolved' : 'not resolved';
  return el('tr', {
    dataset: { call: c.call_id },
    className: review?.call.call_id === c.call_id ? 'selected' : '',
    tabIndex: 0,
    onclick: () => openCall(c.call_id),
    onkeydown: (event) => { if (event.key === 'Enter') openCall(c.call_id); },
  },
  el('td', {}, when(c.started_at)),
  el('td', {}, c.agent_name),
  el('td', {}, c.customer_label),
  el('td', {}, mss(c.ended_at - c.started_at)),
  el('td', {}, c.supervisors?.length ? c.supervisors.join(', ') : el('span', { className: 'muted' }, '—'),
    ...c.modes.map((m) => el('span', { className: `badge ${m}` }, m))),
  el('td', {}, c.help_requests ? el('span', { className: 'flag help' }, `${c.help_requests} raised`) : ''),
  el('td', {}, c.takes ? `${c.takes} take${c.takes > 1 ? 's' : ''}` : el('span', { className: 'muted' }, 'no')),
  el('td', { className: 'outcome' }, outcome));
}

/** The window's agents and supervisors, for the filters' pickers (the reports name them with their ids). */
async function loadPeople(from, to, asked) {
  const [agents, supervisors] = await Promise.all(['agent', 'supervisor'].map((by) => request('GET', `/api/reports?from=${from}&to=${to}&by=${by}`)));
  if (asked !== listGeneration || agents.status !== 200 || supervisors.status !== 200) return;
  offerPeople({ agents: agents.data.rows, supervisors: supervisors.data.rows });
}

/** The picked window and filters in the URL, so a reload or a shared link shows the same list. */
function keepInUrl(values) {
  const url = new URL(location.href);
  for (const [key, value] of Object.entries(values)) if (value) url.searchParams.set(key, value); else url.searchParams.delete(key);
  history.replaceState(null, '', url);
}

for (const id of ['#from', '#to', ...FILTERS.map((f) => `#filter-${f}`)]) $(id).onchange = () => loadCalls().catch((e) => say(e.message, true));

$('#sample-form').onsubmit = async (event) => {
  event.preventDefault();
  const from = midnight($('#from').value);
  const to = midnight($('#to').value, 1);
  const filters = filterQuery(currentFilters());
  const { status, data } = await request('GET', `/api/reports/calls/sample?n=${encodeURIComponent($('#sample-n').value)}&from=${from}&to=${to}${filters ? `&${filters}` : ''}`);
  if (status !== 200) return say(`No sample drawn: ${data.message ?? `HTTP ${status}`}`, true);
  listSample($('#sample'), data, when, (callId) => openCall(callId).catch((e) => say(e.message, true)));
  say(`Sample drawn: ${data.calls.length} unreviewed call${data.calls.length === 1 ? '' : 's'}.`);
};

// ---- One call -----------------------------------------------------------------------------------

async function openCall(callId) {
  const mine = ++generation;
  const url = new URL(location.href);
  url.searchParams.set('call', callId);
  history.replaceState(null, '', url);
  for (const row of document.querySelectorAll('#calls tr[data-call]')) row.classList.toggle('selected', row.dataset.call === callId);
  stopPlayer();
  review = null;
  show($('#call'), true);
  $('#call-title').textContent = 'Loading the call…';
  const { status, data } = await request('GET', `/api/calls/${encodeURIComponent(callId)}/review`);
  if (mine !== generation) return;
  show($('#call-missing'), status !== 200);
  show($('#call-body'), status === 200);
  if (status === 404) {
    // A live call has no summary yet; another team's call answers the same, and says nothing more.
    $('#call-title').textContent = 'No review for this call';
    $('#call-missing').textContent = 'No review until the call ends: this call is still live, or it is not a call of your team.';
    return;
  }
  if (status !== 200) {
    $('#call-title').textContent = 'No review for this call';
    $('#call-missing').textContent = data.message ?? `HTTP ${status}`;
    return;
  }
  review = data;
  const { call } = review;
  $('#call-title').textContent = `${call.agent_name}'s call with ${call.customer_label}`;
  $('#call-facts').textContent = `${when(call.started_at)} · ${mss(call.ended_at - call.started_at)} long · ${call.ended_reason ?? 'ended'}`;
  showComments();
  qa.show(review).catch((e) => say(e.message, true));
  const recorded = review.takes.length > 0;
  show($('#player'), recorded);
  show($('#wave'), recorded);
  show($('#no-recording'), !recorded);
  show($('#take-picker'), review.takes.length > 1);
  $('#take').replaceChildren(...review.takes.map((t) =>
    el('option', { value: String(t.take) }, `${t.take}: from ${mss(t.started_at - call.started_at)}`)));
  if (recorded) await loadTake(review.takes[0]);
  else renderLane();
}

$('#take').onchange = () => {
  const picked = review?.takes.find((t) => String(t.take) === $('#take').value);
  if (picked) loadTake(picked).catch((e) => say(e.message, true));
};

/** Fetches a take with the token (an <audio> src cannot carry it), plays it from a Blob, decodes it for the waveform. */
async function loadTake(recording) {
  const mine = ++generation;
  stopPlayer();
  const guessed = seconds.get(recording.take) ?? (recording.updated_at - recording.started_at) / 1000;
  take = { ...recording, ends_at: recording.started_at + guessed * 1000 };
  $('#take').value = String(recording.take);
  $('#take-info').textContent = 'Loading the recording…';
  renderLane(); // the timeline at once; the waveform once decoded
  const response = await fetch(`/api/calls/${encodeURIComponent(recording.call_id)}/recordings/${recording.take}/audio`, {
    headers: { authorization: `Bearer ${session.token}` },
  });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    $('#take-info').textContent = `The recording could not be fetched: ${data.message ?? `HTTP ${response.status}`}`;
    return;
  }
  const complete = response.headers.get('x-earshot-complete') === 'true';
  const blob = await response.blob();
  if (mine !== generation) return;
  objectUrl = URL.createObjectURL(blob);
  audio.src = objectUrl;
  // An OfflineAudioContext decodes without an audio device or a user gesture; it never plays.
  decoder ??= new OfflineAudioContext(2, 1, 48_000);
  const buffer = await decoder.decodeAudioData(await blob.arrayBuffer());
  await settleDuration(audio);
  if (mine !== generation) return;
  decoded = buffer;
  seconds.set(recording.take, buffer.duration);
  take.ends_at = take.started_at + buffer.duration * 1000;
  renderLane();
  const into = mss(take.started_at - review.call.started_at);
  $('#take-info').textContent = `Take ${take.take}: from ${into} into the call, ${mss(buffer.duration * 1000)} long`
    + `${take.include_whisper ? ' · whisper recorded on the agent side' : ''}`
    + `${complete ? '' : ' · incomplete: the agent\'s tab closed before the call ended'}`;
  audio.dataset.take = String(take.take); // ready: playable, seekable, drawn
}

/**
 * MediaRecorder's WebM does not say how long it is, so <audio> reports an infinite duration and its
 * scrubber is useless; seeking far past the end makes Chromium read to the end and learn it.
 */
async function settleDuration(media) {
  if (media.readyState < HTMLMediaElement.HAVE_METADATA) await next(media, 'loadedmetadata');
  if (Number.isFinite(media.duration)) return;
  media.currentTime = 1e9;
  await next(media, 'seeked');
  media.currentTime = 0;
  await next(media, 'seeked');
}

/** Resolves on the media element's next `type` event, or rejects on its error. */
function next(media, type) {
  return new Promise((resolve, reject) => {
    const done = () => { media.removeEventListener('error', failed); resolve(); };
    const failed = () => { media.removeEventListener(type, done); reject(new Error(`the recording does not play: ${media.error?.message ?? 'unknown error'}`)); };
    media.addEventListener(type, done, { once: true });
    media.addEventListener('error', failed, { once: true });
  });
}

function stopPlayer() {
  audio.pause();
  audio.removeAttribute('src');
  delete audio.dataset.take;
  audio.load();
  if (objectUrl) URL.revokeObjectURL(objectUrl);
  objectUrl = null;
  take = null;
  decoded = null;
  waveform.clear();
}

/** Draws the timeline and the waveform on one axis: the call, widened to any take that outlasts it. */
function renderLane() {
  if (!review) return;
  const { call, takes } = review;
  const ends = takes.map((t) => t.started_at + (seconds.get(t.take) ?? (t.updated_at - t.started_at) / 1000) * 1000);
  const axis = makeAxis(Math.min(call.started_at, ...takes.map((t) => t.started_at)), Math.max(call.ended_at, ...ends), $('#lane').clientWidth);
  renderTimeline($('#timeline'), review, axis, { take, onSeek: seekTo, tip: $('#tip') });
  if (take && decoded) waveform.draw(decoded, axis, take.started_at);
}

/** Plays from `at` (ms since the epoch): its place in the take, or the take's start for what came before it. */
function seekTo(at) {
  if (!review) return;
  if (!take) {
    say(`${mss(at - review.call.started_at)} into the call: there is no recording to play.`);
    return;
  }
  const length = decoded?.duration ?? Infinity;
  audio.currentTime = Math.min(Math.max(0, (at - take.started_at) / 1000), length);
  waveform.follow();
}

// Redraw for a new width, once the resizing settles: a long take's peaks take a moment to compute.
let resizing = null;
let drawnWidth = 0;
new ResizeObserver(() => {
  clearTimeout(resizing);
  resizing = setTimeout(() => {
    const width = $('#lane').clientWidth;
    if (width !== drawnWidth) renderLane();
    drawnWidth = width;
  }, 150);
}).observe($('#lane'));

// ---- QA and notes ----------------------------------------------------------------------------------

function showComments() {
  listComments($('#notes'), review.comments ?? [], review.call.started_at, seekTo);
}

/** After a save: the review's QA parts again from the archive (the audio and the timeline stay). */
async function refreshQa() {
  const callId = review.call.call_id;
  const { status, data } = await request('GET', `/api/calls/${encodeURIComponent(callId)}/review`);
  if (status !== 200 || review?.call.call_id !== callId) return;
  for (const key of ['scorecard', 'criteria', 'reviews', 'forms', 'responses', 'comments', 'qa']) review[key] = data[key];
  await qa.show(review);
  await loadCalls();
}

if (session.user.role === 'agent') showMyReviews({ request, user: session.user }).catch((error) => say(error.message, true));
else main().catch((error) => say(error.message, true));
