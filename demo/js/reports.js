// The supervisor-effectiveness reports page: a date range and a by-supervisor / by-agent toggle; the
// team's report from the worker drawn as five bar charts (interventions by mode, minutes in each mode,
// median answer time, resolved with vs without intervention, early barges) and a table with every
// figure, each row linking to the calls behind it; the quality scores (quality-report.js); the same
// report downloaded as CSV or JSON. The worker computes every figure and decides who
// may see them (docs/PROTOCOL.md, "Post-call review and reports"); the page draws and words them.
import { params, signIn } from './session.js';
import { $, dayFromToday, el, midnight, say } from './ui.js';
import { barChart } from './charts.js';
import { renderQuality } from './quality-report.js';

const MODES = ['monitor', 'whisper', 'barge', 'takeover'];

let report = null; // the Report on screen (docs/PROTOCOL.md)
let generation = 0; // bumped per load: an answer for a window no longer picked is dropped

window.earshotDemo = { role: 'reports', get session() { return session; }, get report() { return report; } };

const session = await signIn('supervisor');

$('#live-link').href = session.link('console.html');
$('#review-link').href = session.link('review.html');
$('#scorecard-link').href = session.link('scorecard.html');

async function main() {
  say('Signed in.');
  $('#from').value = params.get('from') ?? dayFromToday(-6); // the last 7 days, today included
  $('#to').value = params.get('to') ?? dayFromToday(0);
  if (params.get('by') === 'agent') document.querySelector('input[name="by"][value="agent"]').checked = true;
  await load();
}

// ---- The window and the request ---------------------------------------------------------------------

const by = () => document.querySelector('input[name="by"]:checked').value;

/** The picked window as the API's `[from, to)`, the "to" day included; or why it is not one. */
function picked() {
  if (!$('#from').value || !$('#to').value) return { error: 'Pick both days.' };
  const from = midnight($('#from').value);
  const to = midnight($('#to').value, 1);
  if (from >= to) return { error: 'The first day is after the last.' };
  return { from, to, by: by() };
}

const reportPath = ({ from, to, by: rows }, format) => `/api/reports?from=${from}&to=${to}&by=${rows}&format=${format}`;

/** GET with the bearer token; a refusal throws the worker's own words. */
async function get(path) {
  const response = await fetch(path, { headers: { authorization: `Bearer ${session.token}` } });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    throw new Error(data.message ?? `HTTP ${response.status}`);
  }
  return response;
}

async function load() {
  const choice = picked();
  setDownloads(false);
  if (choice.error) return say(choice.error, true);
  // The picked report stays in the URL, so a reload or a shared link shows the same one.
  const url = new URL(location.href);
  for (const key of ['from', 'to']) url.searchParams.set(key, $(`#${key}`).value);
  url.searchParams.set('by', choice.by);
  history.replaceState(null, '', url);
  const mine = ++generation;
  say('Loading the report…');
  const [data, quality] = await Promise.all([
    get(reportPath(choice, 'json')).then((r) => r.json()),
    get(`/api/reports/quality?from=${choice.from}&to=${choice.to}`).then((r) => r.json()),
  ]);
  if (mine !== generation) return;
  report = data;
  render(data);
  renderQuality($('#quality'), quality, callsLink);
  setDownloads(true);
  say('Report loaded.');
}

function reload() {
  load().catch((error) => say(`Report not loaded: ${error.message}`, true));
}
for (const id of ['#from', '#to']) $(id).onchange = reload;
for (const radio of document.querySelectorAll('input[name="by"]')) radio.onchange = reload;

/**
 * The review page's list for the picked days with `filter` (the archive's filter names), e.g. a
 * report row's calls: its `calls_path` names the filter (`agent=ID` or `supervisor=ID`).
 */
function callsLink(filter) {
  const query = new URLSearchParams({ from: $('#from').value, to: $('#to').value, ...filter });
  const page = session.link('review.html');
  return `${page}${page.includes('?') ? '&' : '?'}${query}`;
}

/** The filter of a report row's `calls_path` (`/api/reports/calls?from=…&to=…&agent=a1`), as an object. */
function rowFilter(row) {
  const query = new URLSearchParams((row.calls_path ?? '').split('?')[1] ?? '');
  return Object.fromEntries(['agent', 'supervisor'].filter((k) => query.get(k)).map((k) => [k, query.get(k)]));
}

// ---- Downloads ----------------------------------------------------------------------------------------

function setDownloads(enabled) {
  $('#download-csv').disabled = !enabled;
  $('#download-json').disabled = !enabled;
}

/**
 * Fetches the report as the worker formats it (with the token, so not a plain link) and saves it
 * through a Blob object URL: earshot-report-supervisor-2026-11-15-to-2026-11-22.csv.
 */
async function download(format) {
  const choice = picked();
  if (choice.error) return say(choice.error, true);
  const response = await get(reportPath(choice, format));
  let blob = await response.blob();
  if (format === 'json') {
    // Indented, for whoever opens the file in an editor; the figures are the worker's, untouched.
    blob = new Blob([JSON.stringify(JSON.parse(await blob.text()), null, 2)], { type: 'application/json' });
  }
  const name = `earshot-report-${choice.by}-${$('#from').value}-to-${$('#to').value}.${format}`;
  const href = URL.createObjectURL(blob);
  const link = el('a', { href, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000); // the browser has started the save by then
  say(`Saved ${name}.`);
}

$('#download-csv').onclick = () => download('csv').catch((error) => say(`Not downloaded: ${error.message}`, true));
$('#download-json').onclick = () => download('json').catch((error) => say(`Not downloaded: ${error.message}`, true));

// ---- Drawing -------------------------------------------------------------------------------------------

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const minutes = (seconds) => seconds / 60;
/** A duration as m:ss (0:10, 12:05): "0.17 min" reads as nothing to a QA lead. */
const mss = (seconds) => {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
};
/** A bar's minutes, as m:ss. */
const minutesText = (m) => mss(m * 60);
const fmtSeconds = (s) => (s < 10 ? s.toFixed(1) : String(Math.round(s)));
const sum = (values) => values.reduce((a, b) => a + b, 0);

function render(data) {
  drawnWidth = Math.round($('.charts').getBoundingClientRect().width);
  const perSupervisor = data.by === 'supervisor';
  // Alphabetical, so a person is easy to find and keeps their place across charts and table.
  const rows = [...data.rows].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const people = perSupervisor ? 'supervisor' : 'agent';
  $('#summary').textContent = rows.length
    ? `${plural(data.calls, 'ended call')} in this window; ${plural(rows.length, people)}.`
    : `${plural(data.calls, 'ended call')} in this window; ${perSupervisor ? 'no supervisor listened to any of them' : 'no agent'}.`;
  const whose = perSupervisor ? 'per supervisor' : 'on each agent\'s calls';
  const none = perSupervisor ? 'No supervisor listened to a call in this window.' : 'No calls in this window.';

  $('#cap-interventions').textContent = `Mode entries, ${whose} (each time a mode was entered; monitor only listens, so only whisper, barge and takeover are interventions)`;
  barChart($('#chart-interventions'), {
    title: 'Mode entries',
    none,
    integer: true,
    rows: rows.map((r) => ({
      label: r.name,
      bars: [{
        parts: MODES.map((m) => ({ value: r.entries[m], className: `mode-${m}`, title: `${r.name}: ${r.entries[m]} ${m}` })),
        text: String(sum(MODES.map((m) => r.entries[m]))),
      }],
    })),
  });

  $('#cap-minutes').textContent = `Time in each mode, ${whose} (m:ss)`;
  barChart($('#chart-minutes'), {
    title: 'Time in each mode (m:ss)',
    none,
    tick: (m) => mss(m * 60),
    rows: rows.map((r) => ({
      label: r.name,
      bars: [{
        parts: MODES.map((m) => ({ value: minutes(r.seconds[m]), className: `mode-${m}`, title: `${r.name}: ${minutesText(minutes(r.seconds[m]))} ${m}` })),
        text: minutesText(minutes(sum(MODES.map((m) => r.seconds[m])))),
      }],
    })),
  });

  // Per supervisor, the requests they answered first; per agent, the ones the agent raised.
  $('#cap-answer').textContent = perSupervisor
    ? 'Median time from help raised to a supervisor joining, for the requests each supervisor answered first (seconds)'
    : 'Median time from help raised to a supervisor joining, for each agent\'s requests (seconds)';
  const answer = (r, label, className) => {
    const median = r.help.median_answer_s;
    const counted = perSupervisor && r !== data.totals ? `${r.help.answered} answered` : `${r.help.answered} of ${r.help.requests} answered`;
    return {
      label,
      className,
      bars: [median === null
        ? { parts: [], empty: true, text: r.help.requests ? `no answered requests (${r.help.requests} raised)` : 'no answered requests' }
        : { parts: [{ value: median, className: 'help', title: `${label}: median ${fmtSeconds(median)} s, ${counted}` }], text: `${fmtSeconds(median)} s · ${counted}` }],
    };
  };
  barChart($('#chart-answer'), {
    title: 'Median time from help raised to a supervisor joining (seconds)',
    none,
    tick: (s) => `${fmtSeconds(s)} s`,
    rows: [...rows.map((r) => answer(r, r.name)), ...(rows.length ? [answer(data.totals, 'Whole team', 'team')] : [])],
  });

  $('#cap-resolved').textContent = perSupervisor
    ? 'Reviewed calls resolved on first contact: calls each supervisor listened to, by whether they intervened'
    : 'Reviewed calls resolved on first contact: each agent\'s calls, by whether a supervisor intervened';
  const share = (label, part, kind, className) => (part.reviewed
    ? {
      parts: [{ value: (100 * part.resolved) / part.reviewed, className, title: `${label}, ${kind}: ${part.resolved} of ${part.reviewed} reviewed calls resolved` }],
      text: `${part.resolved} of ${part.reviewed} resolved (${Math.round((100 * part.resolved) / part.reviewed)}%)`,
    }
    : { parts: [], empty: true, text: `none reviewed ${kind}` });
  const resolvedRow = (r, label, className) => ({
    label,
    className,
    bars: [
      share(label, r.resolved.with_intervention, 'with intervention', 'with'),
      share(label, r.resolved.without_intervention, 'without intervention', 'without'),
    ],
  });
  barChart($('#chart-resolved'), {
    title: 'Share of reviewed calls resolved, with and without intervention',
    none,
    max: 100,
    tick: (p) => `${p}%`,
    rows: [...rows.map((r) => resolvedRow(r, r.name)), ...(rows.length ? [resolvedRow(data.totals, 'Whole team', 'team')] : [])],
  });

  $('#cap-early').textContent = `Early barges, ${whose}: a barge or takeover in a call's early-barge window (its team's guard when the call started)`;
  barChart($('#chart-early'), {
    title: 'Early barges',
    none,
    integer: true,
    rows: rows.map((r) => ({
      label: r.name,
      bars: [{ parts: [{ value: r.early_barges, className: 'early', title: `${r.name}: ${plural(r.early_barges, 'early barge')}` }], text: String(r.early_barges) }],
    })),
  });

  renderTable(rows, data, perSupervisor);
}

function renderTable(rows, data, perSupervisor) {
  $('#person-heading').textContent = perSupervisor ? 'Supervisor' : 'Agent';
  $('#table-caption').textContent = perSupervisor
    ? 'Calls: those the supervisor listened to. Help requests: those they answered first. Resolved: reviewed calls they listened to, split by whether they intervened.'
    : 'Calls: the agent\'s calls. Help requests: those the agent raised, answered by anyone. Resolved: the agent\'s reviewed calls, split by whether anyone intervened.';
  const ratio = (part) => (part.reviewed ? `${part.resolved}/${part.reviewed}` : '—');
  // Each person's name links to the calls behind their row; the totals row to the whole window's.
  const line = (r, className) => el('tr', { className, dataset: { id: r.id } },
    el('th', { scope: 'row' }, el('a', { href: callsLink(r.calls_path ? rowFilter(r) : {}), title: `The calls behind ${r.name}'s figures` }, r.name)),
    el('td', { className: 'num' }, String(r.calls)),
    MODES.map((m) => el('td', { className: 'num' }, String(r.entries[m]))),
    MODES.map((m) => el('td', { className: 'num' }, mss(r.seconds[m]))),
    el('td', { className: 'num' }, String(r.help.requests)),
    el('td', { className: 'num' }, String(r.help.answered)),
    el('td', { className: 'num' }, r.help.median_answer_s === null ? '—' : r.help.median_answer_s.toFixed(1)),
    el('td', { className: 'num' }, ratio(r.resolved.with_intervention)),
    el('td', { className: 'num' }, ratio(r.resolved.without_intervention)),
    el('td', { className: 'num' }, String(r.early_barges)));
  $('#figures tbody').replaceChildren(...(rows.length
    ? rows.map((r) => line(r))
    : [el('tr', { className: 'empty' }, el('td', { colSpan: 17, className: 'muted' }, 'Nobody in this window.'))]));
  $('#figures tfoot').replaceChildren(line({ ...data.totals, name: 'Whole team' }, 'totals'));
}

// Charts are drawn at their shown size (charts.js), so a new width redraws them, once it settles.
let resizing = null;
let drawnWidth = 0;
new ResizeObserver(([entry]) => {
  const width = Math.round(entry.contentRect.width);
  if (!report || width === drawnWidth) return;
  drawnWidth = width;
  clearTimeout(resizing);
  resizing = setTimeout(() => render(report), 150);
}).observe($('.charts'));

main().catch((error) => say(error.message, true));
