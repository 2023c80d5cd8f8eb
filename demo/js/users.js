// The demo's people: every role in two teams, so cross-team refusal and per-agent exemptions can be
// seen. A real deployment issues tokens from its own login; the demo mints them with the dev endpoint.

const ALL_MODES = ['monitor', 'whisper', 'barge', 'takeover'];

export const USERS = [
  { sub: 'c1', name: 'Mrs Lee', role: 'customer', team: 'blue' },
  { sub: 'c2', name: 'Mr Okafor', role: 'customer', team: 'blue' },
  { sub: 'a1', name: 'Ana', role: 'agent', team: 'blue' },
  { sub: 'a2', name: 'Bo', role: 'agent', team: 'blue', exemptions: ['barge', 'takeover'] },
  { sub: 's1', name: 'Dana', role: 'supervisor', team: 'blue', capabilities: ALL_MODES },
  { sub: 's2', name: 'Eli', role: 'supervisor', team: 'blue', capabilities: ALL_MODES },
  { sub: 's4', name: 'Fay', role: 'supervisor', team: 'blue', capabilities: ['monitor'] },
  { sub: 'c3', name: 'Ms Novak', role: 'customer', team: 'green' },
  { sub: 'a3', name: 'Gil', role: 'agent', team: 'green' },
  { sub: 's3', name: 'Hal', role: 'supervisor', team: 'green', capabilities: ALL_MODES },
];

/** The page each role works in. */
export const PAGE_OF_ROLE = { customer: 'customer.html', agent: 'agent.html', supervisor: 'console.html' };

/** One line describing what a demo user may do, for the login picker. */
export function describe(user) {
  if (user.role === 'supervisor') {
    return user.capabilities.length === ALL_MODES.length ? 'every mode' : `${user.capabilities.join(', ')} only`;
  }
  if (user.role === 'agent') return user.exemptions ? `exempt from ${user.exemptions.join(' and ')}` : 'no exemptions';
  return 'calls the team queue';
}
