// A deployment behind Cloudflare Access, against a real `wrangler dev`: Access's assertion
// (`Cf-Access-Jwt-Assertion`, RS256) verified against the team domain's certs endpoint, which a
// local HTTP server plays here (Cloudflare's real team domain cannot be reached from this machine),
// with the Access application's AUD tag as audience; claims mapped as Access sends them (`email`,
// `sub`, groups under `custom`); the header taken on WebSocket upgrades and HTTP requests, refused
// from a foreign page, and ignored by a deployment that is not behind Access.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { Wrangler, Minter } from './harness.mjs';
import { signingKey, GROUPS } from '../oidc/provider.mjs';

const AUD_TAG = '4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2';
const ACCESS = 'Cf-Access-Jwt-Assertion';

/** The team domain's certs endpoint: a JWKS of Access's signing keys, counting its requests. */
class TeamDomain {
  constructor() { this.keys = [signingKey('RS256'), signingKey('RS256')]; this.certHits = 0; }

  async start() {
    this.server = createServer((req, res) => {
      res.setHeader('Connection', 'close');
      if (req.url !== '/cdn-cgi/access/certs') { res.writeHead(404).end(); return; }
      this.certHits += 1;
      const keys = this.keys.map(({ d, p, q, dp, dq, qi, ...pub }) => pub);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${this.server.address().port}`;
  }

  async stop() { await new Promise((resolve) => { this.server.close(resolve); this.server.closeAllConnections(); }); }

  /** An application token as Access issues it, signed with the first key. */
  assertion(claims = {}, key = this.keys[0]) {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', kid: key.kid, typ: 'JWT' };
    const payload = { aud: [AUD_TAG], email: 'sam@example.com', exp: now + 600, iat: now, nbf: now,
      iss: this.origin, type: 'app', identity_nonce: 'n0nce', sub: '7335d417-61da-459d-899c-0a01c76a2f94',
      country: 'GB', custom: { groups: ['cc-blue-supervisors'] }, ...claims };
    const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const input = `${b64(header)}.${b64(payload)}`;
    const signature = sign('sha256', Buffer.from(input), createPrivateKey({ key, format: 'jwk' }));
    return `${input}.${signature.toString('base64url')}`;
  }
}

const team = new TeamDomain();
await team.start();
const accessConfig = { issuer: team.origin, audience: AUD_TAG, cloudflare_access: true,
  claims: { name: 'email', groups: 'custom.groups' }, groups: GROUPS };
const wrangler = new Wrangler({ vars: { EARSHOT_OIDC: JSON.stringify(accessConfig) } });
const mint = new Minter();
const audit = `/api/calls/${'0'.repeat(64)}/audit`;

before(async () => { await wrangler.start(); });
after(async () => { await wrangler.stop(); await team.stop(); });

/** A team-room socket opened with only Access's header (no bearer token), and its welcome. */
async function welcomeBehindAccess(assertion) {
  const client = await wrangler.ws('/api/teams/blue/ws', undefined, { headers: { [ACCESS]: assertion } }).opened;
  const hello = await client.next('welcome');
  await client.close();
  return hello;
}

async function refused(assertion, status, words, headers = {}) {
  const res = await wrangler.http('GET', audit, undefined, undefined, { [ACCESS]: assertion, ...headers });
  const body = await res.json();
  assert.equal(res.status, status, JSON.stringify(body));
  assert.ok(body.message.includes(words), `expected "${words}" in: ${body.message}`);
}

describe('behind Cloudflare Access', () => {
  test("Access's assertion signs people in on a WebSocket upgrade and over HTTP, keys from the certs endpoint", async () => {
    const hello = await welcomeBehindAccess(team.assertion());
    assert.deepEqual({ you: hello.you, role: hello.role, team: hello.team },
      { you: '7335d417-61da-459d-899c-0a01c76a2f94', role: 'supervisor', team: 'blue' });
    const res = await wrangler.http('GET', audit, undefined, undefined, { [ACCESS]: team.assertion() });
    assert.equal(res.status, 404, 'authenticated: the call does not exist');
    assert.equal(team.certHits, 1, 'the certs were fetched once, not discovered');
    // A token of the request's own still wins over the header: here Earshot's own agent token.
    const own = await wrangler.http('GET', audit, mint.agent('ana', 'blue'), undefined, { [ACCESS]: team.assertion() });
    assert.equal(own.status, 403, 'the agent token was used: agents read no audit trails');
  });

  test('a token for another application, another team domain, expired or forged is refused', async () => {
    await refused(team.assertion({ aud: ['another-application-aud-tag'] }), 401, 'another audience');
    await refused(team.assertion({ iss: 'https://other.cloudflareaccess.com' }), 401, 'not from the configured identity provider');
    await refused(team.assertion({ exp: Math.floor(Date.now() / 1000) - 3600 }), 401, 'expired');
    const forged = team.assertion({}, { ...signingKey('RS256'), kid: team.keys[0].kid });
    await refused(forged, 401, 'signature does not verify');
    await refused(team.assertion({ custom: { groups: ['staff'] } }), 403, "none of the token's 1 groups (claim \"custom.groups\")");
  });

  test("a foreign page's request carrying Access's assertion is refused: Access adds it to any request its cookie rides on", async () => {
    await refused(team.assertion(), 403, 'origin', { Origin: 'https://evil.example' });
    const own = await wrangler.http('GET', audit, undefined, undefined, { [ACCESS]: team.assertion(), Origin: wrangler.base });
    assert.equal(own.status, 404, 'its own pages are fine');
  });
});

describe('a deployment that is not behind Access', () => {
  const plain = new Wrangler({ vars: { EARSHOT_OIDC: JSON.stringify({ ...accessConfig, cloudflare_access: false, jwks_uri: `${team.origin}/cdn-cgi/access/certs` }) } });
  before(async () => { await plain.start(); });
  after(async () => { await plain.stop(); });

  test('ignores the header: anyone could send it where no Access sits in front', async () => {
    const res = await plain.http('GET', audit, undefined, undefined, { [ACCESS]: team.assertion() });
    assert.equal(res.status, 401);
    assert.match((await res.json()).message, /no token/);
    const bearer = await plain.http('GET', audit, team.assertion());
    assert.equal(bearer.status, 404, 'the same token as a bearer token is verified as usual');
  });
});
