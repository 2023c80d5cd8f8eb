// The agent page's secure pause: a button and the key P start and end it (card details are read out
// unheard by supervisors and unrecorded), and the page shows the pause and when it ends by itself.
// The worker decides and enforces everything (the matrix, refusals, the limit); this only asks and shows.
import { $, el, everySecond, say } from './ui.js';

let shown = null; // the roster's secure_pause, as last rendered

/** Wires the button and the key; `currentCall()` gives the call in progress (with its `channel`), or null. */
export function bindSecurePause(currentCall) {
  const toggle = async () => {
    const call = currentCall();
    if (!call?.channel) return;
    try {
      await call.channel.request({ type: shown ? 'end_secure_pause' : 'start_secure_pause' });
    } catch (error) {
      say(error.message, true);
    }
  };
  $('#secure-pause').onclick = toggle;
  document.addEventListener('keydown', (event) => {
    const typing = event.target.closest?.('input, textarea, select, [contenteditable]');
    if (event.key.toLowerCase() !== 'p' || typing || event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    event.preventDefault();
    toggle();
  });
  everySecond(render);
}

/** Follows the roster's `secure_pause` (absent when none runs). */
export function renderSecurePause(roster) {
  shown = roster?.secure_pause ?? null;
  render();
}

function render() {
  const button = $('#secure-pause');
  button.textContent = shown ? 'End secure pause (P)' : 'Secure pause (P)';
  button.classList.toggle('raised', Boolean(shown));
  const left = shown ? Math.max(0, Math.ceil((shown.until - Date.now()) / 1000)) : 0;
  const clock = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  $('#secure-pause-state').replaceChildren(...(shown
    ? [el('strong', {}, 'Secure pause: '), `supervisors hear nothing and nothing is recorded; it ends by itself in ${clock}.`]
    : []));
}
