// What a staff page shows of its sign-in: who is signed in, their role and team and what they may do,
// with a way out (sign out at the provider, or the demo's user picker); or, instead of the page, why
// it cannot be used (signed out, refused, the wrong page) with what to do next.
import { describe } from './users.js';
import { $, el } from './ui.js';

/** Fills the header: `user` (as the worker knows them) and `signOut` (`{ label, onClick }`, if any). */
export function showSignedIn(user, signOut) {
  $('#who').textContent = `${user.name} · ${user.role} of team ${user.team} · ${describe(user)}`;
  if (signOut) $('header a[href="./"]')?.replaceWith(button(signOut, 'sign-out'));
}

/**
 * Replaces the page with a notice: `title`, `reason` in words, and `actions` (each
 * `{ label, onClick }` or `{ label, href }`, `primary` for the one to take).
 */
export function showStop(title, reason, actions) {
  // The page's own parts are hidden by a class (style.css), not `hidden`: some set their own display.
  document.body.classList.add('signed-out');
  $('#who').textContent = '';
  $('header a[href="./"]')?.remove();
  document.title = `Earshot · ${title}`;
  const notice = el('main', { id: 'sign-in', className: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    el('h2', { id: 'sign-in-title' }, title),
    el('p', { id: 'sign-in-reason' }, reason),
    el('p', {}, actions.map((action) => (action.href
      ? el('a', { href: action.href, className: action.primary ? 'button primary' : 'button' }, action.label)
      : button(action)))));
  $('#sign-in')?.remove();
  document.querySelector('header').after(notice);
  notice.querySelector('button, a')?.focus();
}

function button({ label, onClick, primary }, id) {
  return el('button', { type: 'button', className: primary ? 'primary' : '', onclick: onClick, ...(id ? { id } : {}) }, label);
}
