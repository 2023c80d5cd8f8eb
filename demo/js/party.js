// Who a party of a call is, in one spelling: the worker's `Party::key` (call-policy/src/model.rs)
// mirrored here, the one place the demo builds or reads a party's key. A party descriptor on the wire
// is "agent", "customer" or { supervisor: id }; its key is "agent", "customer" or "supervisor:<id>".

const SUPERVISOR = 'supervisor:';

/** A stable key for a party descriptor: "agent", "customer" or "supervisor:<id>". */
export function partyKey(party) {
  return typeof party === 'string' ? party : `${SUPERVISOR}${party.supervisor}`;
}

/** The party descriptor a key names (the inverse of `partyKey`). */
export function partyOfKey(key) {
  return key.startsWith(SUPERVISOR) ? { supervisor: key.slice(SUPERVISOR.length) } : key;
}
