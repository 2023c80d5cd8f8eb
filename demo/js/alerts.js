// What reaches a supervisor who is not looking at the console: for the team's calls, an agent raising
// a hand and a call newly flagged each raise a desktop notification (the Notification API, asked once)
// or, where notifications are refused or unavailable, a banner on the page; each plays a short sound
// of its own; the tab title counts the calls that need a supervisor now. A per-supervisor switch,
// remembered in this browser, turns the notifications and sounds off (the title count stays).
//
// Alerts follow changes of the team feed, not its state: the first feed a console receives only
// sets the count, so opening the console never replays hands that were raised before.

import { flagName } from './ui.js';

/** Two rising beeps for a raised hand, one lower for a flag: told apart without looking. */
const SOUNDS = {
  help: [{ hz: 880, at: 0 }, { hz: 1320, at: 0.16 }],
  flag: [{ hz: 520, at: 0 }],
};
const BEEP_S = 0.12;
const BEEP_GAIN = 0.2;

/** What in `next` is new since `previous` (call lines of two team feeds): hands raised, flags raised. */
export function newAlerts(previous, next) {
  const before = new Map((previous ?? []).map((line) => [line.call_id, line]));
  const alerts = [];
  for (const line of next) {
    const old = before.get(line.call_id);
    if (line.help_raised && !old?.help_raised) {
      alerts.push({ kind: 'help', call: line.call_id, title: `${line.agent_name} raised a hand`, body: `On the call with ${line.customer_label}.` });
    }
    const known = new Set((old?.health_flags ?? []).map((flag) => flag.kind));
    for (const flag of line.health_flags ?? []) {
      if (known.has(flag.kind)) continue;
      alerts.push({ kind: 'flag', call: line.call_id, flag: flag.kind, title: `${flagName(flag.kind)}: ${line.agent_name}'s call`, body: flag.note || `On the call with ${line.customer_label}.` });
    }
  }
  return alerts;
}

/**
 * Whether what raised `alert` still holds in the team feed's `lines`: the hand still up, the flag
 * still raised, the call still live. A banner or notification whose cause has passed is taken down,
 * so nothing on screen claims a hand that was lowered or a call that ended.
 */
export function stillHolds(alert, lines) {
  const line = lines.find((candidate) => candidate.call_id === alert.call);
  if (!line) return false;
  if (alert.kind === 'help') return Boolean(line.help_raised);
  return (line.health_flags ?? []).some((flag) => flag.kind === alert.flag);
}

/** How many calls need a supervisor now: a hand raised or a flag up. */
export function attentionCount(lines) {
  return lines.filter((line) => line.help_raised || (line.health_flags?.length ?? 0) > 0).length;
}

/**
 * The console's alerts for `user` (a supervisor). `onOpen(callId)` is called when a notification or
 * banner is clicked. `feed(lines)` is called with every team feed's call lines.
 */
export function createAlerts({ user, toggle, banner, onOpen, baseTitle = document.title }) {
  const key = `earshot.alerts.${user.sub}`;
  const log = []; // every alert raised, with how it was shown: what a person (and a test) can check
  let enabled = localStorage.getItem(key) !== 'off';
  let previous = null;
  let context = null;
  const showing = new Set(); // { alert, close() } of every banner or notification still up

  toggle.checked = enabled;
  toggle.addEventListener('change', async () => {
    enabled = toggle.checked;
    localStorage.setItem(key, enabled ? 'on' : 'off');
    if (enabled) await askOnce();
  });

  /** Asks for notification permission once, from the switch or the first alert. */
  async function askOnce() {
    if (!('Notification' in window) || Notification.permission !== 'default') return;
    try {
      await Notification.requestPermission();
    } catch {
      // An old callback-only API or a refusal: the banner stands in.
    }
  }

  function beep(kind) {
    try {
      context ??= new AudioContext();
      if (context.state === 'suspended') context.resume().catch(() => {});
      const start = context.currentTime + 0.02;
      for (const { hz, at } of SOUNDS[kind]) {
        const oscillator = new OscillatorNode(context, { frequency: hz });
        const gain = new GainNode(context, { gain: 0 });
        gain.gain.setValueAtTime(0, start + at);
        gain.gain.linearRampToValueAtTime(BEEP_GAIN, start + at + 0.01);
        gain.gain.linearRampToValueAtTime(0, start + at + BEEP_S);
        oscillator.connect(gain).connect(context.destination);
        oscillator.start(start + at);
        oscillator.stop(start + at + BEEP_S + 0.02);
      }
      return true;
    } catch {
      return false; // no audio here: the notification or banner still shows
    }
  }

  function notify(alert) {
    if ('Notification' in window && Notification.permission === 'granted') {
      const entry = { ...alert, shown: 'notification', displayed: false };
      const notification = new Notification(alert.title, { body: alert.body, tag: `${alert.kind}:${alert.call}` });
      notification.onshow = () => { entry.displayed = true; };
      const shown = { alert, close: () => notification.close() };
      showing.add(shown);
      notification.onclose = () => showing.delete(shown);
      notification.onclick = () => {
        window.focus();
        onOpen(alert.call);
        notification.close();
      };
      return entry;
    }
    const item = document.createElement('button');
    item.type = 'button';
    item.className = `alert ${alert.kind}`;
    item.textContent = `${alert.title}. ${alert.body}`;
    const shown = {
      alert,
      close: () => {
        item.remove();
        showing.delete(shown);
        banner.hidden = banner.childElementCount === 0;
      },
    };
    showing.add(shown);
    item.onclick = () => {
      shown.close();
      onOpen(alert.call);
    };
    banner.prepend(item);
    banner.hidden = false;
    return { ...alert, shown: 'banner', displayed: true };
  }

  return {
    log,
    get enabled() { return enabled; },
    feed(lines) {
      const count = attentionCount(lines);
      document.title = count ? `(${count}) ${baseTitle}` : baseTitle;
      const alerts = previous ? newAlerts(previous, lines) : [];
      previous = lines;
      for (const shown of [...showing]) if (!stillHolds(shown.alert, lines)) shown.close();
      if (!enabled) return;
      if (alerts.length) askOnce();
      for (const alert of alerts) {
        const entry = notify(alert);
        entry.sound = beep(alert.kind);
        log.push(entry);
      }
    },
  };
}
