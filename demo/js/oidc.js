// The staff pages' OpenID Connect sign-in: the authorization-code flow with PKCE as a public client
// (npm oauth4webapi, vendored by scripts/build-demo.sh), the ID token kept per tab and renewed with the
// refresh token before it expires, and sign-out at the provider's end-session endpoint. The worker
// verifies the ID token itself (its signature, issuer, audience, expiry) and maps its groups; this
// module only obtains it.
import * as oauth from '../vendor/oauth4webapi/index.js';

/** sessionStorage keys: the tab's tokens, and the flow in flight while the provider's page is shown. */
const TOKENS = 'earshot.signin.tokens';
const PENDING = 'earshot.signin.pending';
/** The callback's own query parameters, taken off the URL once read. */
const CALLBACK_PARAMS = ['code', 'state', 'error', 'error_description', 'error_uri', 'iss', 'session_state'];

const read = (key) => {
  try {
    return JSON.parse(sessionStorage.getItem(key));
  } catch {
    return null;
  }
};

/**
 * The provider's answer, if this load is the return from its login page: taken off the URL at once
 * (the page's own parameters, e.g. ?call= or ?tone=, put back) so a reload does not replay the code.
 */
export function takeCallback() {
  const pending = read(PENDING);
  const here = new URL(location.href);
  if (!pending || !here.searchParams.has('state')) return null;
  sessionStorage.removeItem(PENDING);
  const answer = new URLSearchParams();
  for (const name of CALLBACK_PARAMS) {
    if (here.searchParams.has(name)) answer.set(name, here.searchParams.get(name));
  }
  history.replaceState(null, '', `${here.pathname}${pending.search}${here.hash}`);
  return { answer, pending };
}

/** Plain HTTP only for a provider on this machine (the demo's); anything else must be HTTPS. */
function httpAllowed(url) {
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  return { [oauth.allowInsecureRequests]: url.protocol === 'http:' && loopback };
}

export class OidcSignIn {
  /** Reads the provider's discovery document (`{ issuer, client_id }` from the worker's /auth/config). */
  static async discover({ issuer, client_id: clientId }) {
    const url = new URL(issuer);
    const response = await oauth.discoveryRequest(url, { algorithm: 'oidc', ...httpAllowed(url) });
    return new OidcSignIn(await oauth.processDiscoveryResponse(url, response), { client_id: clientId }, url);
  }

  constructor(server, client, issuer) {
    this.server = server;
    this.client = client;
    this.options = httpAllowed(issuer);
    // The page's canonical address: static assets are served without `.html` (agent.html → /agent).
    this.redirectUri = `${location.origin}${location.pathname.replace(/\.html$/, '')}`;
  }

  /** `openid profile`, plus `email`, `groups` and `offline_access` where the provider offers them. */
  get scope() {
    const offered = this.server.scopes_supported ?? [];
    return ['openid', 'profile', ...['email', 'groups', 'offline_access'].filter((s) => offered.includes(s))].join(' ');
  }

  /** Sends the browser to the provider's login page; it comes back to this page (`takeCallback`). */
  async redirect() {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, nonce, search: location.search }));
    const url = new URL(this.server.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: this.client.client_id, redirect_uri: this.redirectUri, response_type: 'code', scope: this.scope,
      state, nonce, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    location.assign(url);
  }

  /** Exchanges the callback's code for tokens; throws the provider's reason for a refusal. */
  async complete({ answer, pending }) {
    const params = oauth.validateAuthResponse(this.server, this.client, answer, pending.state);
    const response = await oauth.authorizationCodeGrantRequest(this.server, this.client, oauth.None(), params,
      this.redirectUri, pending.verifier, this.options);
    this.#keep(await oauth.processAuthorizationCodeResponse(this.server, this.client, response,
      { expectedNonce: pending.nonce, requireIdToken: true }));
  }

  /** The tab's tokens, `{ idToken, refreshToken, expiresAt }` (ms), or null when signed out. */
  get tokens() {
    return read(TOKENS);
  }

  /** Renews the ID token with the refresh token; throws when there is none or the provider refuses. */
  async refresh() {
    const refreshToken = this.tokens?.refreshToken;
    if (!refreshToken) throw new Error('the provider gave no refresh token');
    const response = await oauth.refreshTokenGrantRequest(this.server, this.client, oauth.None(), refreshToken, this.options);
    this.#keep(await oauth.processRefreshTokenResponse(this.server, this.client, response), refreshToken);
  }

  #keep(result, previousRefreshToken) {
    const claims = oauth.getValidatedIdTokenClaims(result);
    if (!result.id_token || !claims) throw new Error('the provider sent no ID token');
    sessionStorage.setItem(TOKENS, JSON.stringify({
      idToken: result.id_token,
      // Providers that rotate refresh tokens send a new one; the others keep the first.
      refreshToken: result.refresh_token ?? previousRefreshToken ?? null,
      expiresAt: claims.exp * 1000,
    }));
  }

  /** Forgets the tab's tokens (e.g. the worker refused them). */
  forget() {
    sessionStorage.removeItem(TOKENS);
  }

  /** Signs out here and at the provider (its end-session endpoint, back to this page), if it has one. */
  signOut() {
    const idToken = this.tokens?.idToken;
    this.forget();
    const end = this.server.end_session_endpoint;
    if (!end) return location.reload();
    const url = new URL(end);
    url.searchParams.set('client_id', this.client.client_id);
    url.searchParams.set('post_logout_redirect_uri', this.redirectUri);
    if (idToken) url.searchParams.set('id_token_hint', idToken);
    location.assign(url);
  }
}
