// Small DOM helpers and the words of health flags (states' and modes' words: wording.js), shared so
// every page says the same thing.

export const $ = (selector, root = document) => root.querySelector(selector);

/** Creates an element with attributes/properties and children. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** Creates an SVG element with attributes (`dataset` too; null or undefined ones skipped) and children. */
export function svgEl(tag, attrs = {}, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const pad = (n) => String(n).padStart(2, '0');

/** A date as a date input's value (`yyyy-mm-dd`, local time). */
export const dayValue = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

/** The date input value of the day `offset` days from today. */
export function dayFromToday(offset) {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  return dayValue(d);
}

/** Local midnight starting a date input's day, `days` days later (ms since the epoch). */
export function midnight(value, days = 0) {
  const [y, m, d] = value.split('-').map(Number);
  return new Date(y, m - 1, d + days).getTime();
}

export function show(node, visible) {
  node.hidden = !visible;
}

/** Shows a message in the page's status line; errors in red. Also kept for tests in `data-last`. */
export function say(message, isError = false) {
  const line = $('#status-line');
  line.textContent = message;
  line.classList.toggle('error', isError);
  line.dataset.last = message;
}

// The words of modes live with every other state's words; re-exported for the pages that import them here.
export { MODE_FOR_AGENT, MODE_LABEL } from './wording.js';

/** mm:ss since `since` (ms epoch). */
export function elapsed(since, now = Date.now()) {
  const seconds = Math.max(0, Math.floor((now - since) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** A page-wide 1 s tick for timers. */
export function everySecond(fn) {
  fn();
  return setInterval(fn, 1000);
}

/** Runs `action` on a click of `selector`; a refusal or failure shows in the status line. */
export function onClick(selector, action) {
  $(selector).onclick = async (event) => {
    try {
      await action(event);
    } catch (error) {
      say(error.message, true);
    }
  };
}

/**
 * Shows the page's "turn audio on" button while `context` is not running: browsers start audio only
 * after a gesture, which a reloaded page has not had yet.
 */
export function offerAudioResume(context) {
  const button = $('#resume-audio');
  const check = () => show(button, context.state !== 'running');
  context.onstatechange = check;
  button.onclick = () => context.resume();
  check();
}

/** How the pages name each health flag (as earshot-health's FlagKind::label). */
const FLAG_LABEL = {
  customer_loud: 'customer loud',
  overtalk: 'overtalk',
  dead_air: 'dead air',
  agent_talk_ratio: 'agent talking most',
};

/** A health flag's name, or its kind when this page does not know it. */
export const flagName = (kind) => FLAG_LABEL[kind] ?? kind;
