// Who this tab is. With an OpenID provider configured (the worker's /auth/config names it), staff sign
// in there (js/oidc.js) and the worker says who they are, as it maps them (/auth/me); without one, and
// for customers always, the demo user named in the URL (?user=a1) gets a token from the dev-only
// minting endpoint. Either way the token is renewed before it expires, so a long call's reconnects
// and uploads carry a valid one (an open socket is not re-checked: its token was checked at join).
import { OidcSignIn, takeCallback } from './oidc.js';
import { showSignedIn, showStop } from './sign-in-view.js';
import { say } from './ui.js';
import { USERS } from './users.js';

// Before anything reads the URL: the return from the provider's login page gives back the page's own.
const callback = takeCallback();

/** The URL's parameters (?user=…, ?call=…, ?tone=…). */
export const params = new URLSearchParams(location.search);

const DEV_TOKEN_TTL_SECONDS = 3600;
/** A token is renewed this long before it expires (or a third of its life, if that is shorter). */
const RENEW_LEAD_MS = 60_000;
/** After a failed renewal, the next try. */
const RENEW_RETRY_MS = 15_000;

/**
 * Signs this tab in for a page of `role` ('agent', 'supervisor', or a list of the roles the page
 * serves): resolves with `{ user, token,
 * link(page) }` (`token` always the current one), or shows why not (signed out, refused, wrong page) and never
 * resolves, so the page never shows a state it is not in.
 */
export async function signIn(role) {
  const response = await fetch('/auth/config').catch(() => null);
  const config = response?.ok ? await response.json() : { provider: null };
  return config.provider ? providerSession(role, config.provider) : devSession(role);
}

const never = () => new Promise(() => {});

async function providerSession(role, provider) {
  let oidc;
  try {
    oidc = await OidcSignIn.discover(provider);
  } catch (error) {
    showStop('The sign-in service cannot be reached', `${provider.issuer}: ${error.message}`, [{ label: 'Try again', onClick: () => location.reload() }]);
    return never();
  }
  const signInAgain = { label: 'Sign in', onClick: () => oidc.redirect(), primary: true };
  if (callback) {
    try {
      await oidc.complete(callback);
    } catch (error) {
      showStop('Sign-in did not complete', error.error_description ?? error.message, [signInAgain]);
      return never();
    }
  }
  if (!oidc.tokens) {
    showStop('You are signed out', `Sign in with your organisation's account at ${provider.issuer}.`, [signInAgain]);
    return never();
  }
  // A token kept from an earlier load that has run out (or is about to) is renewed before use.
  if (oidc.tokens.expiresAt - Date.now() < RENEW_RETRY_MS) await oidc.refresh().catch(() => oidc.forget());
  if (!oidc.tokens) {
    showStop('Your sign-in has expired', 'Sign in again to carry on.', [signInAgain]);
    return never();
  }
  const signOut = { label: 'Sign out', onClick: () => oidc.signOut() };
  const me = await fetch('/auth/me', { headers: { authorization: `Bearer ${oidc.tokens.idToken}` } });
  const answer = await me.json().catch(() => ({}));
  if (!me.ok) {
    if (me.status === 401) oidc.forget();
    showStop(me.status === 403 ? 'Earshot refused your sign-in' : 'Your sign-in was not accepted',
      answer.message ?? `HTTP ${me.status}`, me.status === 401 ? [signInAgain] : [signOut]);
    return never();
  }
  if (!checkRole(answer, role, signOut)) return never();
  const session = {
    user: answer,
    renewals: 0,
    get token() { return oidc.tokens?.idToken; },
    get expiresAt() { return oidc.tokens?.expiresAt ?? 0; },
    signOut: () => oidc.signOut(),
    /** Another staff page, signed in the same way (the provider's sign-in is the tab's own). */
    link: (page) => page,
  };
  keepFresh(session, () => oidc.refresh());
  showSignedIn(session.user, signOut);
  return session;
}

/** Whether the signed-in `user` belongs on this page; if not, says where they do. */
function checkRole(user, role, signOut) {
  if ([role].flat().includes(user.role)) return true;
  const page = { agent: 'agent.html', supervisor: 'console.html' }[user.role];
  showStop('This page is not for you',
    `You are signed in as ${user.name}, ${user.role} of team ${user.team}; this page is for ${[role].flat().join(' and ')}s.`,
    [...(page ? [{ label: `Open the ${user.role}'s page`, href: page, primary: true }] : []), signOut]);
  return false;
}

async function devSession(role) {
  const user = USERS.find((u) => u.sub === params.get('user'));
  if (!user || ![role].flat().includes(user.role)) {
    location.replace('./');
    return never();
  }
  let token = await mintToken(user);
  const session = {
    user,
    renewals: 0,
    get token() { return token.token; },
    get expiresAt() { return token.expires_at * 1000; },
    /** Another page as the same demo user. */
    link: (page) => `${page}?user=${encodeURIComponent(user.sub)}`,
  };
  keepFresh(session, async () => { token = await mintToken(user); });
  showSignedIn(user);
  return session;
}

/** Renews `session`'s token ahead of its expiry with `renew()`, for as long as the page is open. */
function keepFresh(session, renew) {
  const schedule = (delayMs) => setTimeout(async () => {
    try {
      await renew();
      session.renewals += 1;
      const left = session.expiresAt - Date.now();
      schedule(left - Math.min(RENEW_LEAD_MS, left / 3));
    } catch (error) {
      say(`Your sign-in could not be renewed (${error.message}); retrying. A call in progress carries on.`, true);
      schedule(RENEW_RETRY_MS);
    }
  }, Math.max(0, delayMs));
  const left = session.expiresAt - Date.now();
  schedule(left - Math.min(RENEW_LEAD_MS, left / 3));
}

/**
 * A dev token for `user` (with `call` for a link-call customer): `{ token, expires_at }` (seconds).
 * Fails clearly if minting is off.
 */
export async function mintToken(user, call) {
  const body = { sub: user.sub, name: user.name, role: user.role, team: user.team, ttl_seconds: DEV_TOKEN_TTL_SECONDS };
  if (user.capabilities) body.capabilities = user.capabilities;
  if (user.exemptions) body.exemptions = user.exemptions;
  if (call) body.call = call;
  const response = await fetch('/api/dev/token', { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) {
    throw new Error(response.status === 404
      ? 'the dev token endpoint is off: start the worker with scripts/dev.sh (it writes .dev.vars)'
      : `token request failed: HTTP ${response.status}`);
  }
  return response.json();
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
