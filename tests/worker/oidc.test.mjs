// Signing in with the contact centre's own OpenID provider, against a real `wrangler dev` and a real
// local `oidc-provider` (tests/oidc/provider.mjs): RS256, ES256 and EdDSA ID tokens; key rotation and
// removal with a 2 s key cache; forged and foreign tokens; a flood of made-up key ids; the provider
// down; every group of the example mapping; a bad EARSHOT_OIDC.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createPrivateKey, createPublicKey, sign, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { Wrangler, Minter, createCall, setTeamSettings, sleep } from './harness.mjs';
import { LocalProvider, signingKey, GROUPS, CLIENT_ID } from '../oidc/provider.mjs';

const KEY_CACHE_SECONDS = 2;
const REFETCH_INTERVAL_SECONDS = 1;

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const provider = new LocalProvider(await freePort());
const oidcConfig = {
  issuer: provider.issuer, audience: CLIENT_ID, groups: GROUPS,
  key_cache_seconds: KEY_CACHE_SECONDS, refetch_interval_seconds: REFETCH_INTERVAL_SECONDS,
};
const wrangler = new Wrangler({ vars: { EARSHOT_OIDC: JSON.stringify(oidcConfig) } });
// Earshot's own Ed25519 key stays a key source: customers (and the team settings) come from it here.
const mint = new Minter();
const keys = { RS256: signingKey('RS256'), ES256: signingKey('ES256'), EdDSA: signingKey('EdDSA') };
const attacker = { RS256: signingKey('RS256', 'attacker-rsa'), EdDSA: signingKey('EdDSA', 'attacker-ed') };

before(async () => {
  await provider.start({ keys: Object.values(keys), alg: 'RS256' });
  await wrangler.start();
  await setTeamSettings(wrangler, mint, 'blue', { early_barge_minutes: 0 });
});
after(async () => {
  await wrangler.stop();
  await provider.stop();
});

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** A token with any header and claims, signed as `key` (a private JWK) signs for `header.alg`. */
function forge(header, claims, key) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  if (!key) return `${input}.`;
  const privateKey = createPrivateKey({ key, format: 'jwk' });
  const signature = header.alg === 'ES256' ? sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
    : header.alg === 'EdDSA' ? sign(null, Buffer.from(input), privateKey)
      : sign('sha256', Buffer.from(input), privateKey);
  return `${input}.${b64url(signature)}`;
}

/** Claims as the provider would issue them for Sam, full supervisor of blue. */
const samClaims = (extra = {}) => ({ iss: provider.issuer, aud: CLIENT_ID, sub: 'sam', name: 'Sam Supervisor',
  groups: ['cc-blue-supervisors'], iat: now(), exp: now() + 600, ...extra });

/** Who the worker takes the token's holder for: the team room's welcome. */
async function welcome(token) {
  const client = await wrangler.ws('/api/teams/blue/ws', token).opened;
  const hello = await client.next('welcome');
  await client.close();
  return hello;
}

/** The worker's HTTP answer to the token (an audit read of a call that does not exist). */
async function answer(token) {
  const res = await wrangler.http('GET', `/api/calls/${'0'.repeat(64)}/audit`, token);
  return { status: res.status, ...(await res.json()) };
}

async function assertRefused(token, status, words) {
  const reply = await answer(token);
  assert.equal(reply.status, status, JSON.stringify(reply));
  assert.ok(reply.message.includes(words), `expected "${words}" in: ${reply.message}`);
}

describe('tokens from the OpenID provider', () => {
  test('RS256, ES256 and EdDSA ID tokens from the provider are accepted', async () => {
    for (const alg of ['RS256', 'ES256', 'EdDSA']) {
      await provider.start({ keys: Object.values(keys), alg });
      const token = await provider.idToken('sam');
      assert.equal(JSON.parse(Buffer.from(token.split('.')[0], 'base64url')).alg, alg);
      const { type, team, you, role } = await welcome(token);
      assert.deepEqual({ type, team, you, role }, { type: 'welcome', team: 'blue', you: 'sam', role: 'supervisor' });
      assert.equal((await answer(token)).status, 404, `${alg}: authenticated, the call does not exist`);
    }
    // The key set was discovered from /.well-known/openid-configuration and fetched once for all three.
    assert.equal(provider.jwksHits, 1);
  });

  test('every group of the example mapping gives the documented role, team and modes', async () => {
    const agentOf = async (username) => {
      const token = await provider.idToken(username);
      const callId = await createCall(wrangler, token);
      const agent = await wrangler.ws(`/api/calls/${callId}/ws`, token).opened;
      agent.heartbeat(500);
      await agent.next('matrix');
      const customer = await wrangler.ws(`/api/calls/${callId}/ws`, mint.customer(`cust-${username}`, 'blue', { call: callId })).opened;
      customer.heartbeat(500);
      await customer.next('status');
      return { callId, agent, customer };
    };
    const supervise = async (username, callId) => {
      const client = await wrangler.ws(`/api/calls/${callId}/ws`, await provider.idToken(username)).opened;
      client.heartbeat(500);
      await client.next(() => true);
      return client;
    };
    const mode = async (client, wanted) => {
      const reply = await client.request({ type: 'set_mode', mode: wanted });
      return reply.type === 'ack' ? 'ack' : reply.code;
    };
    // cc-blue-agents: an agent of blue, exempt from nothing.
    assert.equal((await welcome(await provider.idToken('ana'))).role, 'agent');
    const plain = await agentOf('ana');
    // cc-blue-supervisors: supervisor of blue with every mode.
    const sam = await supervise('sam', plain.callId);
    for (const wanted of ['monitor', 'whisper', 'barge', 'takeover', 'none']) assert.equal(await mode(sam, wanted), 'ack', wanted);
    // cc-blue-leads: monitor only.
    const lee = await supervise('lee', plain.callId);
    assert.equal(await mode(lee, 'monitor'), 'ack');
    for (const wanted of ['whisper', 'barge', 'takeover']) assert.equal(await mode(lee, wanted), 'missing_capability', wanted);
    // cc-blue-agents + cc-exempt-barge: an agent whose calls nobody barges into.
    const exempt = await agentOf('eve');
    const samOnEve = await supervise('sam', exempt.callId);
    assert.equal(await mode(samOnEve, 'barge'), 'agent_exempt');
    assert.equal(await mode(samOnEve, 'whisper'), 'ack');
    for (const client of [sam, lee, samOnEve, plain.agent, plain.customer, exempt.agent, exempt.customer]) await client.close();
  });

  test('a genuine token with no mapped group is refused: 403 over HTTP, 4403 on a socket, with the reason', async () => {
    // Nia is in "staff" and "cc-exempt-barge": neither gives a role and team.
    const token = await provider.idToken('nia');
    await assertRefused(token, 403, "none of the token's 2 groups (claim \"groups\") is mapped to an Earshot role and team");
    const socket = wrangler.ws('/api/teams/blue/ws', token);
    const closed = await socket.closedWithin(10000);
    assert.equal(closed.code, 4403);
    assert.match(closed.reason, /none of the token's 2 groups/);
  });

  test('foreign, early and forged tokens are refused, each for its reason', async () => {
    const rs = keys.RS256;
    const header = { alg: 'RS256', kid: rs.kid, typ: 'JWT' };
    assert.equal((await answer(forge(header, samClaims(), rs))).status, 404, 'the forging helper signs as the provider does');
    await assertRefused(forge(header, samClaims({ iss: 'https://idp.elsewhere.example' }), rs), 401, 'not from the configured identity provider');
    await assertRefused(forge(header, samClaims({ aud: 'another-app' }), rs), 401, 'another audience');
    await assertRefused(forge(header, samClaims({ nbf: now() + 3600 }), rs), 401, 'not valid yet');
    await assertRefused(forge(header, samClaims({ exp: now() - 3600 }), rs), 401, 'expired');
    // HS256 keyed with the provider's public key: the textbook confusion. The key is RSA, pinned to RS256.
    const publicPem = createPublicKey({ key: rs, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const hsInput = `${b64url(JSON.stringify({ alg: 'HS256', kid: rs.kid }))}.${b64url(JSON.stringify(samClaims()))}`;
    await assertRefused(`${hsInput}.${b64url(createHmac('sha256', publicPem).update(hsInput).digest())}`, 401, 'not signed with an accepted algorithm');
    await assertRefused(forge({ alg: 'none', kid: rs.kid }, samClaims()), 401, 'not signed with an accepted algorithm');
    // A key of one type named with another's algorithm: the ES256 key under an RS256 header.
    await assertRefused(forge({ alg: 'RS256', kid: keys.ES256.kid }, samClaims(), attacker.RS256), 401, 'not signed with an accepted algorithm');
    // The attacker's own key, offered in the header (and a key URL): never trusted.
    const { d: _d, ...attackerPublic } = attacker.EdDSA;
    await assertRefused(forge({ alg: 'EdDSA', jwk: attackerPublic }, samClaims(), attacker.EdDSA), 401, 'header carries a key');
    await assertRefused(forge({ alg: 'RS256', kid: rs.kid, jku: 'https://evil.example/jwks' }, samClaims(), attacker.RS256), 401, 'header carries a key');
    // Issued to another client that lists Earshot as one more audience (OpenID Connect Core §3.1.3.7).
    await assertRefused(forge(header, samClaims({ aud: [CLIENT_ID, 'another-app'], azp: 'another-app' }), rs), 401, 'issued to another client');
    await assertRefused(forge(header, samClaims({ aud: [CLIENT_ID, 'another-app'] }), rs), 401, 'issued to another client');
    assert.equal((await answer(forge(header, samClaims({ aud: [CLIENT_ID, 'another-app'], azp: CLIENT_ID }), rs))).status, 404);
    // The provider's key id on the attacker's signature.
    await assertRefused(forge(header, samClaims(), attacker.RS256), 401, 'signature does not verify');
  });

  test('a token with a long groups claim is taken up to 16 KiB; longer ones are refused before parsing', async () => {
    const rs = keys.RS256;
    const header = { alg: 'RS256', kid: rs.kid, typ: 'JWT' };
    // Entra ID's tokens reach 5-8 KB with many groups: here ~12 KB, then one padded up to the limit.
    const many = Array.from({ length: 200 }, (_, i) => `0f9a${String(i).padStart(4, '0')}-1111-2222-3333-444455556666`);
    const long = forge(header, samClaims({ groups: ['cc-blue-supervisors', ...many] }), rs);
    assert.ok(long.length > 11000 && long.length < 16384, `${long.length}`);
    assert.equal((await welcome(long)).you, 'sam', 'over a WebSocket upgrade');
    assert.equal((await answer(long)).status, 404, 'over HTTP');
    // The longest signed token within the limit (base64url grows by 1-2 characters per padded byte).
    const padded = (n) => forge(header, samClaims({ groups: ['cc-blue-supervisors', ...many], pad: 'x'.repeat(n) }), rs);
    let n = Math.floor((16384 - long.length) * 3 / 4) - 16;
    while (padded(n + 1).length <= 16384) n += 1;
    const atLimit = padded(n);
    assert.ok(atLimit.length >= 16382 && atLimit.length <= 16384, `${atLimit.length}`);
    assert.equal((await answer(atLimit)).status, 404, `${atLimit.length} bytes: accepted`);
    assert.ok(padded(n + 1).length > 16384);
    await assertRefused(padded(n + 1), 401, 'token longer than 16384 bytes');
  });

  test('a rotated-in key is picked up without a restart; a removed key is refused after the cache TTL', async () => {
    const oldToken = forge({ alg: 'RS256', kid: keys.RS256.kid }, samClaims(), keys.RS256);
    const fresh = signingKey('RS256');
    await sleep(REFETCH_INTERVAL_SECONDS * 1000 + 100);
    // Rotation, step one: the new key signs, the old one is still published.
    await provider.start({ keys: [fresh, ...Object.values(keys)], alg: 'RS256' });
    const newToken = await provider.idToken('sam');
    assert.equal(JSON.parse(Buffer.from(newToken.split('.')[0], 'base64url')).kid, fresh.kid);
    const hits = provider.jwksHits;
    assert.equal((await welcome(newToken)).you, 'sam', 'the unknown kid made the worker fetch the set again');
    assert.equal(provider.jwksHits, hits + 1);
    // Step two: the old key is withdrawn. Held keys are trusted for the TTL, then fetched again.
    await provider.start({ keys: [fresh, keys.ES256, keys.EdDSA], alg: 'RS256' });
    assert.equal((await answer(oldToken)).status, 404, 'within the TTL the old key is still held');
    await sleep(KEY_CACHE_SECONDS * 1000 + 200);
    await assertRefused(oldToken, 401, 'a key the identity provider does not publish');
    assert.equal((await answer(newToken)).status, 404, 'the new key works on');
  });

  test('a flood of made-up key ids costs the provider at most one fetch per interval', async () => {
    await sleep(REFETCH_INTERVAL_SECONDS * 1000 + 100);
    const before = provider.jwksHits;
    const started = Date.now();
    const flood = Array.from({ length: 40 }, () =>
      forge({ alg: 'RS256', kid: `made-up-${randomBytes(6).toString('hex')}` }, samClaims(), attacker.RS256));
    for (let round = 0; round < 4; round += 1) {
      const replies = await Promise.all(flood.slice(round * 10, round * 10 + 10).map(answer));
      for (const reply of replies) {
        assert.equal(reply.status, 401);
        assert.ok(reply.message.includes('does not publish'), reply.message);
      }
    }
    const elapsed = Date.now() - started;
    const fetches = provider.jwksHits - before;
    console.log(`# 40 made-up kids in ${elapsed} ms: ${fetches} JWKS fetch(es) (interval ${REFETCH_INTERVAL_SECONDS} s)`);
    assert.ok(fetches >= 1, 'the first unknown kid is looked up');
    assert.ok(fetches <= 1 + Math.floor(elapsed / (REFETCH_INTERVAL_SECONDS * 1000)), `${fetches} fetches in ${elapsed} ms`);
  });

  test('the provider down: held keys keep working, unknown keys are refused, the log names no token', async () => {
    const token = await provider.idToken('sam');
    assert.equal((await answer(token)).status, 404);
    await provider.stop();
    await sleep(KEY_CACHE_SECONDS * 1000 + 200);
    // The TTL has passed: the worker tries the provider, cannot reach it, and keeps the keys it holds.
    assert.equal((await welcome(token)).you, 'sam');
    const unknown = forge({ alg: 'ES256', kid: 'rotated-in-while-down' }, samClaims(), signingKey('ES256', 'rotated-in-while-down'));
    await assertRefused(unknown, 401, "identity provider's keys cannot be fetched");
    await sleep(200); // wrangler's output reaches the harness a moment later
    assert.match(wrangler.log, /identity provider http:\/\/127\.0\.0\.1:\d+: keys not fetched/);
    assert.ok(!wrangler.log.includes(token.split('.')[2]) && !wrangler.log.includes(unknown.split('.')[1]), 'no token in the log');
    await provider.start({ keys: Object.values(keys), alg: 'RS256' });
  });
});

describe('a bad EARSHOT_OIDC', () => {
  const misconfigured = new Wrangler({ vars: { EARSHOT_OIDC: JSON.stringify({ ...oidcConfig, issuer: 'http://idp.example.com' }) } });
  before(async () => { await misconfigured.start(); });
  after(async () => { await misconfigured.stop(); });

  test('fails every authenticated request with a 500 that names the problem', async () => {
    const res = await misconfigured.http('GET', `/api/calls/${'0'.repeat(64)}/audit`, mint.supervisor('s', 'blue'));
    assert.equal(res.status, 500);
    assert.match((await res.json()).message, /EARSHOT_OIDC: issuer "http:\/\/idp\.example\.com" must be an https:\/\/ URL/);
  });
});
