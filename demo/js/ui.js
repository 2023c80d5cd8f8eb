// Small DOM helpers and the words the pages use for modes, shared so every page says the same thing.

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

/** How the agent sees a supervisor's mode. */
export const MODE_FOR_AGENT = {
  none: 'present, not listening',
  monitor: 'listening',
  whisper: 'coaching you (only you hear them)',
  barge: 'in the call (everyone hears them)',
  takeover: 'has taken over (talking to the customer)',
};

/** Short labels of modes, for the console. */
export const MODE_LABEL = { none: 'joined', monitor: 'monitor', whisper: 'whisper', barge: 'barge', takeover: 'takeover' };

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
