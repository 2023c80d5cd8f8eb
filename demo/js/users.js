// The demo's people: every role in two teams, so cross-team refusal and per-agent exemptions can be
// seen. Staff have a `login` at the demo's OpenID provider (scripts/dev.sh starts it, with each in
// the groups that give them this role, team and these modes: tests/oidc/accounts.mjs); without a
// provider, and for customers, the pages mint tokens with the worker's dev endpoint.

const ALL_MODES = ['monitor', 'whisper', 'barge', 'takeover'];

export const USERS = [
  { sub: 'c1', name: 'Mrs Lee', role: 'customer', team: 'blue' },
  { sub: 'c2', name: 'Mr Okafor', role: 'customer', team: 'blue' },
  { sub: 'a1', login: 'ana', name: 'Ana', role: 'agent', team: 'blue' },
  { sub: 'a2', login: 'bo', name: 'Bo', role: 'agent', team: 'blue', exemptions: ['barge', 'takeover'] },
  { sub: 's1', login: 'dana', name: 'Dana', role: 'supervisor', team: 'blue', capabilities: ALL_MODES },
  { sub: 's2', login: 'eli', name: 'Eli', role: 'supervisor', team: 'blue', capabilities: ALL_MODES },
  { sub: 's4', login: 'fay', name: 'Fay', role: 'supervisor', team: 'blue', capabilities: ['monitor'] },
  { sub: 'c3', name: 'Ms Novak', role: 'customer', team: 'green' },
  { sub: 'a3', login: 'gil', name: 'Gil', role: 'agent', team: 'green' },
  { sub: 's3', login: 'hal', name: 'Hal', role: 'supervisor', team: 'green', capabilities: ALL_MODES },
];

/** The page each role works in. */
export const PAGE_OF_ROLE = { customer: 'customer.html', agent: 'agent.html', supervisor: 'console.html' };

/** One line describing what a demo user may do, for the login picker. */
export function describe(user) {
  if (user.role === 'supervisor') {
    return user.capabilities.length === ALL_MODES.length ? 'every mode' : `${user.capabilities.join(', ')} only`;
  }
  if (user.role === 'agent') return user.exemptions?.length ? `exempt from ${user.exemptions.join(' and ')}` : 'no exemptions';
  return 'calls the team queue';
}
