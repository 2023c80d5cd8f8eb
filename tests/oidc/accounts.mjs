// Who can sign in at the local OpenID provider (tests and scripts/dev.sh): the demo's staff
// (demo/js/users.js, by their login names), each in the groups that give their role, team and modes,
// plus the people the worker tests need; and the example group mapping those groups go through
// (EARSHOT_OIDC's `groups`, as README shows it).
import { USERS } from '../../demo/js/users.js';

const ALL_MODES = ['monitor', 'whisper', 'barge', 'takeover'];

/** Group name (as the provider's `groups` claim lists it) → what it grants in Earshot. */
export const GROUPS = {
  'cc-blue-supervisors': { role: 'supervisor', team: 'blue', capabilities: ALL_MODES },
  'cc-blue-leads': { role: 'supervisor', team: 'blue', capabilities: ['monitor'] },
  'cc-blue-agents': { role: 'agent', team: 'blue' },
  'cc-green-supervisors': { role: 'supervisor', team: 'green', capabilities: ALL_MODES },
  'cc-green-agents': { role: 'agent', team: 'green' },
  'cc-exempt-barge': { exemptions: ['barge'] },
  'cc-exempt-takeover': { exemptions: ['takeover'] },
};

/** The groups that give a demo user exactly what users.js says they may do. */
export function groupsOf(user) {
  const same = (a = [], b = []) => a.length === b.length && a.every((m) => b.includes(m));
  const role = Object.entries(GROUPS).find(([, grant]) => grant.role === user.role && grant.team === user.team
    && same(grant.capabilities, user.capabilities));
  if (!role) throw new Error(`no group in the example mapping gives ${user.name} (${user.role} of ${user.team}) their modes`);
  const exemptions = (user.exemptions ?? []).map((mode) => `cc-exempt-${mode}`);
  return ['staff', role[0], ...exemptions];
}

/** The demo's staff (customers do not sign in at the provider: they are the public). */
const DEMO_STAFF = Object.fromEntries(USERS.filter((u) => u.login)
  .map((u) => [u.login, { name: u.name, groups: groupsOf(u) }]));

/** Login name → { name, groups } at the provider. */
export const ACCOUNTS = {
  ...DEMO_STAFF,
  // The worker tests' people (tests/worker/oidc.test.mjs).
  sam: { name: 'Sam Supervisor', groups: ['staff', 'cc-blue-supervisors'] },
  lee: { name: 'Lee Lead', groups: ['cc-blue-leads'] },
  eve: { name: 'Eve Exempt', groups: ['cc-blue-agents', 'cc-exempt-barge'] },
  // Signs in at the provider but is in no group Earshot maps to a role and team: refused, with the reason.
  nia: { name: 'Nia Nobody', groups: ['staff', 'cc-exempt-barge'] },
};

/** The example EARSHOT_OIDC for a provider at `issuer` with the pages registered as `clientId`. */
export function exampleConfig(issuer, clientId) {
  return { issuer, audience: clientId, groups: GROUPS };
}
