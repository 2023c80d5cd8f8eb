// The review's timeline lane (SVG), on the same time axis as the waveform above it: one row of mode
// spans per supervisor, the health flags and secure pauses as spans, and point markers for help requests, coaching,
// recording, joins and leaves. Hovering (or focusing) a mark shows who, what and when; clicking it
// asks the page to seek there. Marks outside the playing take are greyed: the audio does not hold them.

import { flagName, svgEl } from './ui.js';

const ROW = 22; // px per row
const AXIS = 20; // px for the tick labels under the rows

/** Marker rows, top to bottom; kinds not listed (consent, end) share the last row. */
const MARKER_ROWS = [
  { label: 'Help', kinds: ['help'] },
  { label: 'Coaching', kinds: ['coaching'] },
  { label: 'Recording', kinds: ['recording'] },
  { label: 'Joins, leaves', kinds: ['join', 'leave', 'consent', 'end'] },
];

/** Marker shapes around (0, 0): each kind is told apart by shape as well as colour. */
const SHAPE = {
  help: 'M-6 5 L0 -6 L6 5 Z', // a raised hand's warning triangle, point up
  help_lowered: 'M-6 -5 L0 6 L6 -5 Z', // the hand lowered: the same triangle, point down
  note: 'M-5 -6 H5 V6 L0 2 L-5 6 Z', // a reviewer's note: a bookmark
  coaching: 'M-6 -5 H6 V3 H-1 L-4 6 V3 H-6 Z', // a speech bubble
  recording: 'M-5 -5 H5 V5 H-5 Z',
  join: 'M0 -6 L6 0 L0 6 L-6 0 Z',
  leave: 'M0 -6 L6 0 L0 6 L-6 0 Z',
  consent: 'M-5 0 A5 5 0 1 0 5 0 A5 5 0 1 0 -5 0',
  end: 'M-1.5 -7 H1.5 V7 H-1.5 Z',
};

/** What each kind of mark means, for the legend under the timeline: [css class, shape or null for a bar, words]. */
const LEGEND = [
  ['mode-monitor', null, 'monitor (listening only)'],
  ['mode-whisper', null, 'whisper (the agent hears)'],
  ['mode-barge', null, 'barge (everyone hears)'],
  ['mode-takeover', null, 'takeover'],
  ['flag-span', null, 'health flag (hover: which)'],
  ['pause-span', null, 'secure pause (not recorded)'],
  ['note-span', null, "reviewer's note over a span"],
  ['kind-note', 'note', "reviewer's note at a moment"],
  ['kind-help', 'help', 'help raised'],
  ['kind-help', 'help_lowered', 'help lowered'],
  ['kind-coaching', 'coaching', 'coaching message'],
  ['kind-recording', 'recording', 'recording started or stopped'],
  ['kind-join', 'join', 'supervisor joined or left'],
];

/** Fills `list` (a <ul>) with the timeline's legend: each mark drawn as on the timeline, and its meaning. */
export function renderLegend(list) {
  list.replaceChildren(...LEGEND.map(([className, shape, words]) => {
    const item = document.createElement('li');
    const mark = shape
      ? svgEl('svg', { width: 16, height: 16, viewBox: '-8 -8 16 16', 'aria-hidden': 'true' }, svgEl('g', { class: `event ${className}` }, svgEl('path', { d: SHAPE[shape] })))
      : svgEl('svg', { width: 22, height: 12, 'aria-hidden': 'true' }, svgEl('rect', { class: className, x: 0, y: 1, width: 22, height: 10, rx: 2 }));
    item.append(mark, ` ${words}`);
    return item;
  }));
}

/** A time axis from `from` to `to` (ms since the epoch) over `width` px. */
export function makeAxis(from, to, width) {
  const span = Math.max(1, to - from);
  return {
    from,
    to,
    width,
    x: (at) => ((at - from) / span) * width,
    at: (x) => from + (x / width) * span,
  };
}

/** m:ss of `ms` milliseconds (negative before the call's start). */
export function mss(ms) {
  const sign = ms < 0 ? '-' : '';
  const seconds = Math.floor(Math.abs(ms) / 1000);
  return `${sign}${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/**
 * Draws `review` (the Review JSON) into `svg` on `axis`. `take` (a Recording with `ends_at`, or null)
 * decides what is greyed; `onSeek(at)` is called with the ms time of a clicked mark; `tip` is the
 * tooltip element. Returns the lane's height in px.
 */
export function renderTimeline(svg, review, axis, { take, onSeek, tip }) {
  const call = review.call;
  const rows = [];
  const supervisors = [...new Map(review.spans.map((s) => [s.supervisor_id, s.supervisor_name])).entries()];
  for (const [id, name] of supervisors) {
    rows.push({ label: name, marks: review.spans.filter((s) => s.supervisor_id === id).map((s) => spanMark(s)) });
  }
  if (review.flags.length) rows.push({ label: 'Health flags', marks: review.flags.map(flagMark) });
  if (review.pauses?.length) rows.push({ label: 'Secure pause', marks: review.pauses.map(pauseMark) });
  if (review.comments?.length) rows.push({ label: "Reviewers' notes", marks: review.comments.map(noteMark) });
  for (const row of MARKER_ROWS) {
    const events = review.events.filter((e) => row.kinds.includes(e.kind));
    if (events.length) rows.push({ label: row.label, marks: events.map(eventMark) });
  }
  const height = rows.length * ROW + AXIS;
  svg.setAttribute('width', axis.width);
  svg.setAttribute('height', height);
  svg.setAttribute('viewBox', `0 0 ${axis.width} ${height}`);
  const outside = (from, to) => Boolean(take) && (to < take.started_at || from > take.ends_at);
  const clock = (at) => mss(at - call.started_at);

  function spanMark(s) {
    return (y) => {
      const x = axis.x(s.from);
      const rect = svgEl('rect', {
        class: `mark span mode-${s.mode}`, x, y: y + 4, width: Math.max(3, axis.x(s.to) - x), height: ROW - 8, rx: 3,
        dataset: { supervisor: s.supervisor_id, mode: s.mode, from: s.from, to: s.to },
      });
      return interactive(rect, s.from, s.to, `${s.supervisor_name} · ${s.mode}`, '', `${clock(s.from)}–${clock(s.to)} (${Math.round((s.to - s.from) / 1000)} s)`);
    };
  }

  function flagMark(f) {
    return (y) => {
      const x = axis.x(f.from);
      const rect = svgEl('rect', {
        class: 'mark flag-span', x, y: y + 6, width: Math.max(3, axis.x(f.to) - x), height: ROW - 12, rx: 2,
        dataset: { kind: f.kind, from: f.from, to: f.to },
      });
      return interactive(rect, f.from, f.to, 'Health flag', flagName(f.kind), `${clock(f.from)}–${clock(f.to)}`);
    };
  }

  /** A secure pause: the take is silent on both channels for it, and supervisors heard nothing. */
  function pauseMark(p) {
    return (y) => {
      const x = axis.x(p.from);
      const rect = svgEl('rect', {
        class: 'mark pause-span', x, y: y + 4, width: Math.max(3, axis.x(p.to) - x), height: ROW - 8, rx: 2,
        dataset: { from: p.from, to: p.to },
      });
      return interactive(rect, p.from, p.to, `Secure pause · ${p.by}`, `${p.reason}; ${p.ended}`, `${clock(p.from)}–${clock(p.to)} (not recorded)`);
    };
  }

  /** A reviewer's timeline note: a bookmark at its moment, a bar when it spans. */
  function noteMark(c) {
    return (y) => {
      const x = axis.x(c.at);
      const node = c.until
        ? svgEl('rect', { class: 'mark note-span', x, y: y + 6, width: Math.max(3, axis.x(c.until) - x), height: ROW - 12, rx: 2 })
        : svgEl('g', { class: 'mark event kind-note', transform: `translate(${x} ${y + ROW / 2})` }, svgEl('path', { d: SHAPE.note }));
      const when = c.until ? `${clock(c.at)}–${clock(c.until)}` : clock(c.at);
      return interactive(node, c.at, c.until ?? c.at, `${c.author_name} · note`, c.text, when);
    };
  }

  function eventMark(e) {
    return (y) => {
      const marker = svgEl('g', {
        class: `mark event kind-${e.kind}`, transform: `translate(${axis.x(e.at)} ${y + ROW / 2})`,
        dataset: { kind: e.kind, at: e.at, who: e.who, text: e.text },
      }, svgEl('path', { d: (e.kind === 'help' && e.text === 'lowered' ? SHAPE.help_lowered : SHAPE[e.kind]) ?? SHAPE.join }));
      return interactive(marker, e.at, e.at, `${e.name} · ${e.kind}`, e.text, clock(e.at));
    };
  }

  /** Tooltip, keyboard focus and click-to-seek for one mark. */
  function interactive(node, from, to, title, text, when) {
    node.classList.toggle('outside', outside(from, to));
    node.setAttribute('tabindex', '0');
    node.setAttribute('role', 'button');
    node.setAttribute('aria-label', `${title}${text ? `: ${text}` : ''}, at ${when}. Play from here.`);
    const showTip = (event) => {
      tip.replaceChildren(strong(title), text ? `: ${text}` : '', document.createElement('br'), when);
      tip.hidden = false;
      const box = event.clientX !== undefined && event.type !== 'focus'
        ? { left: event.clientX, top: event.clientY }
        : node.getBoundingClientRect();
      tip.style.left = `${box.left + window.scrollX + 12}px`;
      tip.style.top = `${box.top + window.scrollY + 14}px`;
    };
    const hideTip = () => { tip.hidden = true; };
    node.addEventListener('pointerenter', showTip);
    node.addEventListener('pointermove', showTip);
    node.addEventListener('pointerleave', hideTip);
    node.addEventListener('focus', showTip);
    node.addEventListener('blur', hideTip);
    node.addEventListener('click', () => onSeek(from));
    node.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        onSeek(from);
      }
    });
    return node;
  }

  const nodes = [];
  for (const tick of ticks(axis, call.started_at)) {
    nodes.push(svgEl('line', { class: 'tick', x1: tick.x, x2: tick.x, y1: 0, y2: rows.length * ROW }));
    nodes.push(svgEl('text', { class: 'tick-label', x: tick.x, y: rows.length * ROW + 14 }, tick.label));
  }
  rows.forEach((row, i) => {
    const y = i * ROW;
    nodes.push(svgEl('line', { class: 'row-line', x1: 0, x2: axis.width, y1: y + ROW / 2, y2: y + ROW / 2 }));
    nodes.push(svgEl('text', { class: 'row-label', x: -8, y: y + ROW / 2 + 4 }, row.label));
    nodes.push(...row.marks.map((mark) => mark(y)));
  });
  svg.replaceChildren(...nodes);
  return height;
}

function strong(text) {
  const node = document.createElement('strong');
  node.textContent = text;
  return node;
}

/** Tick marks at a round interval giving about eight labels, counted from the call's start. */
function ticks(axis, origin) {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);
  const step = steps.find((s) => (axis.to - axis.from) / s <= 8) ?? steps.at(-1);
  const out = [];
  for (let t = Math.ceil((axis.from - origin) / step) * step; origin + t <= axis.to; t += step) {
    out.push({ x: axis.x(origin + t), label: mss(t) });
  }
  return out;
}
