// A real OpenID provider for the tests and the demo (npm `oidc-provider`, certified), listening on
// 127.0.0.1: the demo's staff as its accounts, their groups as a `groups` claim (tests/oidc/accounts.mjs),
// ID tokens signed with RS256, ES256 or EdDSA, a key set that can be rotated, and a count of requests
// to its JWKS endpoint.
//
// Earshot's pages are one public client (PKCE, no secret, as a browser app must be): its redirect and
// post-logout URIs are the staff pages of the worker at `pages`, and it gets refresh tokens. Tests
// without a browser get tokens the way a browser would (`idToken`): the authorization-code flow with
// PKCE driven over HTTP (the login form fetched and posted, redirects followed with the provider's
// cookies, the code exchanged at the token endpoint). The provider's development login form accepts
// any password; the accounts and their groups are these. Consent is granted for the scopes asked (a
// first-party client).
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';
import { ACCOUNTS, GROUPS } from './accounts.mjs';

export { ACCOUNTS, GROUPS };

/**
 * The demo pages that sign staff in, as the worker serves them (without `.html`): each is its own
 * redirect URI (README lists them).
 */
export const STAFF_PAGES = ['console', 'agent', 'review', 'reports'];
/** The scopes the pages and `idToken` ask for. */
export const SCOPES = 'openid profile groups offline_access';

export const CLIENT_ID = 'earshot';
const REDIRECT_URI = 'http://127.0.0.1/signed-in';

/** A fresh private signing key as a JWK: `RS256`, `ES256` or `EdDSA`. */
export function signingKey(alg, kid = `${alg.toLowerCase()}-${randomBytes(4).toString('hex')}`) {
  const pair = alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('ed25519');
  return { ...pair.privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

export class LocalProvider {
  /** `port`: fixed across restarts, so that the issuer stays the same. */
  constructor(port) {
    this.port = port;
    this.issuer = `http://127.0.0.1:${port}`;
    this.jwksHits = 0;
  }

  /**
   * Starts (or restarts) with `keys` published, the first key of the client's algorithm signing, and
   * the client's ID tokens signed with `alg`, each valid `idTokenSeconds`; `pages`: the worker's
   * base URL whose staff pages sign in here (redirect and post-logout URIs).
   */
  async start({ keys, alg, pages, idTokenSeconds = 3600 }) {
    await this.stop();
    this.keys = keys;
    const pageUris = pages ? STAFF_PAGES.map((page) => new URL(page, `${pages}/`).href) : [];
    const provider = new Provider(this.issuer, {
      clients: [{
        client_id: CLIENT_ID, redirect_uris: [REDIRECT_URI, ...pageUris], post_logout_redirect_uris: pageUris,
        grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
        token_endpoint_auth_method: 'none', id_token_signed_response_alg: alg,
      }],
      jwks: { keys },
      enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256', 'EdDSA'] },
      claims: { openid: ['sub'], profile: ['name'], groups: ['groups'] },
      // Claims go into the ID token itself (the worker never calls userinfo).
      conformIdTokenClaims: false,
      cookies: { keys: ['test-only-cookie-key'] },
      ttl: { IdToken: idTokenSeconds, AccessToken: idTokenSeconds, RefreshToken: 12 * 3600, Interaction: 600, Grant: 12 * 3600, Session: 12 * 3600 },
      // Refresh tokens for the pages without the consent prompt `offline_access` would otherwise need.
      issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
      findAccount: async (_ctx, id) => (ACCOUNTS[id] ? {
        accountId: id,
        claims: async () => ({ sub: id, name: ACCOUNTS[id].name, groups: ACCOUNTS[id].groups }),
      } : undefined),
      // A first-party client: what it asks for is granted without a consent page.
      loadExistingGrant: async (ctx) => {
        const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
        grant.addOIDCScope(SCOPES);
        await grant.save();
        return grant;
      },
    });
    const callback = provider.callback();
    this.server = createServer((req, res) => {
      if (req.url.startsWith('/jwks')) this.jwksHits += 1;
      // No kept-alive connections: a stopped or restarted provider leaves no socket behind to reuse.
      res.setHeader('Connection', 'close');
      callback(req, res);
    });
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', resolve);
    });
    return this;
  }

  /** Stops listening and drops every open connection: the provider is unreachable. */
  async stop() {
    if (!this.server) return;
    const server = this.server;
    this.server = undefined;
    await new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); });
  }

  /** An ID token for `username`, by the authorization-code flow with PKCE. */
  async idToken(username, password = 'any') {
    const cookies = new Map();
    const go = async (url, init = {}) => {
      const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, ...(cookie ? { cookie } : {}) } });
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const at = pair.indexOf('=');
        cookies.set(pair.slice(0, at), pair.slice(at + 1));
      }
      return res;
    };
    const verifier = b64url(randomBytes(32));
    const query = new URLSearchParams({
      client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT_URI, scope: SCOPES,
      code_challenge: b64url(createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256',
      state: b64url(randomBytes(8)), nonce: b64url(randomBytes(8)),
    });
    let res = await go(`${this.issuer}/auth?${query}`);
    for (let hops = 0; hops < 10; hops += 1) {
      if (res.status === 302 || res.status === 303) {
        const next = new URL(res.headers.get('location'), this.issuer);
        await res.arrayBuffer();
        if (next.href.startsWith(REDIRECT_URI)) {
          const code = next.searchParams.get('code');
          if (!code) throw new Error(`sign-in refused: ${next.search}`);
          return this.#exchange(code, verifier);
        }
        res = await go(next.href);
      } else if (res.status === 200) {
        // The login form: post the username and password to its action, as the page would.
        const page = await res.text();
        const action = page.match(/<form[^>]*action="([^"]+)"/)?.[1];
        if (!action || !page.includes('name="login"')) throw new Error(`unexpected page:\n${page.slice(0, 400)}`);
        res = await go(new URL(action, this.issuer).href, {
          method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ prompt: 'login', login: username, password }).toString(),
        });
      } else {
        throw new Error(`sign-in: ${res.status} ${await res.text()}`);
      }
    }
    throw new Error('sign-in: too many redirects');
  }

  async #exchange(code, verifier) {
    const res = await fetch(`${this.issuer}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI,
        code_verifier: verifier, client_id: CLIENT_ID }).toString(),
    });
    const body = await res.json();
    if (!res.ok || !body.id_token) throw new Error(`token exchange: ${res.status} ${JSON.stringify(body)}`);
    return body.id_token;
  }
}
