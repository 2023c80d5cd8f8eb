// The login picker: every demo user, grouped by team, each a link to their role's page. With an
// OpenID provider configured, staff links open their page unsigned (it sends them to the provider's
// login page) and show the login name to type there; customers always come in through the dev mint.
import { describe, PAGE_OF_ROLE, USERS } from './users.js';
import { $, el } from './ui.js';

// Drawn at once for the dev mint, then again once the worker says whether staff sign in at a provider.
let provider = null;

function link(user, tone) {
  const url = new URL(PAGE_OF_ROLE[user.role], location.href);
  const atProvider = provider && user.login;
  if (!atProvider) url.searchParams.set('user', user.sub);
  if (tone) url.searchParams.set('tone', tone);
  return el('li', {}, el('a', { href: url, target: '_blank', dataset: { user: user.sub } }, `${user.name}`),
    ` — ${user.role}, ${describe(user)}`, atProvider ? el('span', { className: 'muted' }, ` (sign in as “${user.login}”)`) : null);
}

function render() {
  const tone = $('#voice').value;
  const teams = [...new Set(USERS.map((u) => u.team))];
  $('#teams').replaceChildren(
    ...teams.map((team) =>
      el('section', {}, el('h2', {}, `Team ${team}`),
        el('ul', { className: 'users' }, USERS.filter((u) => u.team === team).map((u) => link(u, tone))))),
  );
}

function describeSignIn() {
  $('#how').textContent = provider
    ? `Staff sign in at the identity provider (${provider.issuer}); customers' tokens come from the worker's dev-only minting endpoint.`
    : "Tokens come from the worker's dev-only minting endpoint.";
}

$('#voice').onchange = render;
render();
describeSignIn();
fetch('/auth/config').then((r) => (r.ok ? r.json() : {})).catch(() => ({})).then((config) => {
  provider = config.provider ?? null;
  describeSignIn();
  render();
});
