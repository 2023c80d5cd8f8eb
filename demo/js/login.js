// The login picker: every demo user, grouped by team, each a link to their role's page.
import { describe, PAGE_OF_ROLE, USERS } from './users.js';
import { $, el } from './ui.js';

function render() {
  const tone = $('#voice').value;
  const teams = [...new Set(USERS.map((u) => u.team))];
  $('#teams').replaceChildren(
    ...teams.map((team) =>
      el('section', {}, el('h2', {}, `Team ${team}`),
        el('ul', { className: 'users' },
          USERS.filter((u) => u.team === team).map((u) => {
            const url = new URL(PAGE_OF_ROLE[u.role], location.href);
            url.searchParams.set('user', u.sub);
            if (tone) url.searchParams.set('tone', tone);
            return el('li', {}, el('a', { href: url, target: '_blank', dataset: { user: u.sub } }, `${u.name}`),
              ` — ${u.role}, ${describe(u)}`);
          })))),
  );
}

$('#voice').onchange = render;
render();
