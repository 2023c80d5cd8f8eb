// Who this tab is: the demo user named in the URL (?user=a1) and a fresh token for them from the
// dev-only minting endpoint. Each tab mints its own token, so a reload simply signs in again.
import { USERS } from './users.js';

const TOKEN_TTL_SECONDS = 3600;

/** The URL's parameters (?user=…, ?call=…, ?tone=…). */
export const params = new URLSearchParams(location.search);

/** The demo user of this page, or a redirect to the login picker when the URL names none of `role`. */
export function currentUser(role) {
  const user = USERS.find((u) => u.sub === params.get('user'));
  if (!user || user.role !== role) {
    location.replace('./');
    throw new Error(`no ${role} named in the URL`);
  }
  return user;
}

/** Mints a token for `user` (with `call` for a link-call customer). Fails clearly if minting is off. */
export async function mintToken(user, call) {
  const body = { sub: user.sub, name: user.name, role: user.role, team: user.team, ttl_seconds: TOKEN_TTL_SECONDS };
  if (user.capabilities) body.capabilities = user.capabilities;
  if (user.exemptions) body.exemptions = user.exemptions;
  if (call) body.call = call;
  const response = await fetch('/api/dev/token', { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) {
    throw new Error(response.status === 404
      ? 'the dev token endpoint is off: start the worker with scripts/dev.sh (it writes .dev.vars)'
      : `token request failed: HTTP ${response.status}`);
  }
  return (await response.json()).token;
}

/** A JSON HTTP call to the worker with the bearer token → `{ ok, status, data }`, refusals included. */
export async function apiResult(method, path, token, body) {
  const response = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { ok: response.ok, status: response.status, data: await response.json().catch(() => ({})) };
}

/** A JSON HTTP call to the worker with the bearer token; throws the worker's message on failure. */
export async function api(method, path, token, body) {
  const { ok, status, data } = await apiResult(method, path, token, body);
  if (!ok) throw new Error(data.message ?? `HTTP ${status}`);
  return data;
}
