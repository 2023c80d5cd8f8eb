// Floor benchmark worker (not the product, never deployed): a mode switch's I/O in plain JavaScript, no
// wasm and no policy, to measure what one local workerd thread can do at best on this machine
// (tests/worker/bench-floor.mjs drives it; docs/bench/floor.md has the figures).
// Per switch, as edge-worker/src/call/object.rs does: the sender's attachment read, the call record
// changed in memory, one synchronous turn writing the record row (INSERT OR REPLACE) and an audit row
// (same schemas as record_row.rs and audit.rs), then the frames: ack to the supervisor, matrix to the
// agent, roster to agent and supervisors (sockets found by role tag), status to the customer only when
// the supervisors they hear change; then an awaited POST /call-update to the team object, which pushes
// its feed at most every 250 ms (an alarm for a change inside the interval) and writes the changed
// lines' rows with that push. Identities come from the query string (no tokens, no rate limit).
// Vars STORAGE=0 / TEAM_UPDATES=0 drop a switch's call writes / team update, to measure their share.
import { DurableObject } from 'cloudflare:workers';

const FEED_INTERVAL_MS = 250;
const ROWS_PER_STATEMENT = 50; // Durable Object SQL binds at most 100 parameters per statement
const PING = '{"type":"ping"}';
const PONG = '{"type":"pong"}';
const MODES = ['monitor', 'whisper', 'barge', 'takeover'];
const AGENT_HEARS = new Set(['whisper', 'barge', 'takeover']);
const CUSTOMER_HEARS = new Set(['barge', 'takeover']);

const json = (obj) => JSON.stringify(obj);
const noContent = () => new Response(null, { status: 204 });

export default {
  async fetch(request, env) {
    const path = new URL(request.url).pathname;
    if (path === '/healthz') return new Response('ok');
    let m = path.match(/^\/calls\/([^/]+)\/ws$/);
    if (m) return env.CALLS.get(env.CALLS.idFromName(m[1])).fetch(request);
    m = path.match(/^\/teams\/([^/]+)\/ws$/);
    if (m) return env.TEAMS.get(env.TEAMS.idFromName(m[1])).fetch(request);
    return new Response('not found', { status: 404 });
  },
};

/** The identity a socket carries as its hibernation attachment (~300 bytes of JSON, like the product's). */
function identityOf(params, callId, now) {
  const role = params.get('role');
  const sub = params.get('sub');
  return {
    sub, name: `${role[0].toUpperCase()}${role.slice(1)} ${sub}`, role, team: params.get('team'), call: callId,
    capabilities: role === 'supervisor' ? MODES : [], exemptions: [],
    iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + 3600, aud: 'earshot', conn: crypto.randomUUID(),
  };
}

/** Accepts an upgrade with the hibernation API, the socket tagged with its role; [response, socket]. */
function accept(ctx, request, identity) {
  if (request.headers.get('Upgrade') !== 'websocket') return [new Response('expected a WebSocket', { status: 426 })];
  const { 0: client, 1: server } = new WebSocketPair();
  ctx.acceptWebSocket(server, [identity.role]);
  server.serializeAttachment(identity);
  return [new Response(null, { status: 101, webSocket: client }), server];
}

/** The gain matrix for one supervisor in `mode` (0/1 gains, the product's shape: listeners × sources). */
function matrixOf(supervisor, mode) {
  const sources = ['agent', 'customer', { supervisor }];
  const customerHears = [mode !== 'takeover', false, CUSTOMER_HEARS.has(mode)];
  const gains = [
    customerHears, // customer
    [false, true, AGENT_HEARS.has(mode)], // agent
    [true, true, false], // the supervisor
    [false, true, false], // recording: customer channel
    customerHears, // recording: agent channel
  ].map((row) => row.map(Number));
  return { sources, listeners: ['customer', 'agent', { supervisor }, 'recording_customer', 'recording_agent'], gains };
}

export class CallRoom extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.storage = env.STORAGE !== '0';
    this.teamUpdates = env.TEAM_UPDATES !== '0';
    this.sql.exec('CREATE TABLE IF NOT EXISTS record (id INTEGER PRIMARY KEY CHECK (id = 0), json TEXT NOT NULL)');
    this.sql.exec(`CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL,
      kind TEXT NOT NULL, actor TEXT NOT NULL, actor_role TEXT NOT NULL, target TEXT, from_mode TEXT, to_mode TEXT, detail TEXT)`);
    const row = this.sql.exec('SELECT json FROM record WHERE id = 0').toArray()[0];
    this.record = row ? JSON.parse(row.json) : null;
    this.teamStub = null;
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  /** GET /calls/{id}/ws?role&sub&team: the call is created on its first upgrade. */
  async fetch(request) {
    const url = new URL(request.url);
    const now = Date.now();
    const identity = identityOf(url.searchParams, url.pathname.split('/')[2], now);
    const [response, server] = accept(this.ctx, request, identity);
    if (!server) return response;
    const r = (this.record ??= newRecord(identity, now));
    r.sessions[`${identity.role}:${identity.sub}`] = identity.conn;
    if (identity.role === 'agent') Object.assign(r, { agent_id: identity.sub, agent_name: identity.name, agent_connected: true });
    if (identity.role === 'customer') r.customer_connected = true;
    if (identity.role === 'supervisor') r.supervisors.push({ id: identity.sub, name: identity.name, mode: 'monitor' });
    r.rev++;
    r.summary_rev++;
    this.writeRecord();
    this.audit(now, identity, 'join', null, null);
    if (identity.role === 'customer') server.send(json(this.status()));
    this.announce(null, false);
    await this.tellTeam();
    return response;
  }

  async webSocketMessage(ws, data) {
    let msg;
    try { msg = JSON.parse(data); } catch { return ws.send(json({ type: 'error', code: 'malformed' })); }
    if (msg.type === 'ping') { // a ping with a ref (plain ones are answered by the runtime)
      if (msg.ref !== undefined) ws.send(json({ type: 'ack', ref: msg.ref }));
      return ws.send(PONG);
    }
    const who = ws.deserializeAttachment();
    const r = this.record;
    const supervisor = r?.supervisors.find((s) => s.id === who.sub);
    if (msg.type !== 'set_mode' || !supervisor || r.sessions[`${who.role}:${who.sub}`] !== who.conn || !who.capabilities.includes(msg.mode)) {
      return ws.send(json({ type: 'error', code: 'not_allowed', ref: msg.ref }));
    }
    const now = Date.now();
    const from = supervisor.mode;
    const heardBefore = this.speakers().join('\n');
    supervisor.mode = msg.mode;
    r.rev++;
    r.summary_rev++;
    if (this.storage) {
      // One synchronous turn: both writes commit together, and workerd holds the frames below until
      // they are durable (output gate), as in the product.
      this.writeRecord();
      this.audit(now, who, 'mode_change', from, msg.mode);
    }
    ws.send(json({ type: 'ack', ref: msg.ref }));
    this.announce({ supervisor: who.sub, from, to: msg.mode, ref: msg.ref }, heardBefore !== this.speakers().join('\n'));
    if (this.teamUpdates) await this.tellTeam();
  }

  webSocketClose(ws, code) {
    try { ws.close(code === 1005 ? 1000 : code, 'bye'); } catch { /* already closed */ }
  }

  writeRecord() {
    this.sql.exec('INSERT OR REPLACE INTO record (id, json) VALUES (0, ?)', json(this.record));
  }

  audit(at, who, kind, from, to) {
    this.sql.exec('INSERT INTO audit (at, kind, actor, actor_role, target, from_mode, to_mode, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      at, kind, who.sub, who.role, who.role === 'supervisor' ? who.sub : null, from, to, null);
  }

  /** Matrix to the agent, roster to agent and supervisors, status to the customer if asked. */
  announce(cause, customerToo) {
    const r = this.record;
    const s = r.supervisors[0];
    const matrix = json({ type: 'matrix', rev: r.rev, ...(cause ? { cause } : {}), matrix: matrixOf(s?.id ?? null, s?.mode ?? 'monitor') });
    const roster = json({
      type: 'roster', call_id: r.call_id, team: r.team, started_at: r.started_at,
      agent: { id: r.agent_id, name: r.agent_name, connected: r.agent_connected },
      customer: { label: r.customer_label, connected: r.customer_connected, consent_required: false, consent_given: false },
      supervisors: r.supervisors, help_raised: false, recording: false,
    });
    for (const ws of this.ctx.getWebSockets('agent')) { ws.send(matrix); ws.send(roster); }
    for (const ws of this.ctx.getWebSockets('supervisor')) ws.send(roster);
    if (customerToo) {
      const status = json(this.status());
      for (const ws of this.ctx.getWebSockets('customer')) ws.send(status);
    }
  }

  /** Names of the supervisors the customer hears (barge or takeover). */
  speakers() { return this.record.supervisors.filter((s) => CUSTOMER_HEARS.has(s.mode)).map((s) => s.name); }

  status() {
    const r = this.record;
    return { type: 'status', agent_connected: r.agent_connected, disclosure_required: false, consent_given: false, recording: false, speakers: this.speakers() };
  }

  /** POST /call-update to the team object with this call's feed line (~400 bytes), awaited. */
  async tellTeam() {
    const r = this.record;
    this.teamStub ??= this.env.TEAMS.get(this.env.TEAMS.idFromName(r.team));
    const line = {
      call_id: r.call_id, team: r.team, rev: r.summary_rev, agent_id: r.agent_id, agent_name: r.agent_name,
      agent_connected: r.agent_connected, customer_label: r.customer_label, customer_connected: r.customer_connected,
      started_at: r.started_at, supervisors: r.supervisors, help_raised: false, consent_required: false,
      consent_given: false, recording: false, health_flags: [],
    };
    try {
      await this.teamStub.fetch('https://team/call-update', { method: 'POST', body: json(line) });
    } catch (err) {
      console.error(`team update failed: ${err}`);
    }
  }
}

/** A new call's record (~1 KB of JSON once three are in, like the product's). */
function newRecord(identity, now) {
  return {
    call_id: identity.call, team: identity.team, agent_id: null, agent_name: null, customer_label: 'Customer',
    started_at: now, settings: { early_barge_minutes: 3, record_by_default: false, retention_days: 30, consent: 'one-party' },
    supervisors: [], agent_connected: false, customer_connected: false, agent_left_at: null, customer_left_at: null,
    help_raised: false, health_flags: [], rev: 0, summary_rev: 0, sessions: {}, ended: null,
  };
}

export class TeamRoom extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec('CREATE TABLE IF NOT EXISTS call_lines (call_id TEXT PRIMARY KEY, line TEXT NOT NULL)');
    this.lines = new Map(this.sql.exec('SELECT line FROM call_lines').toArray().map((row) => {
      const line = JSON.parse(row.line);
      return [line.call_id, line];
    }));
    this.unsaved = new Set();
    this.lastSent = 0;
    this.pending = false;
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  /** POST /call-update from a call object, or GET /teams/{team}/ws?sub: a console. */
  async fetch(request) {
    const url = new URL(request.url);
    const now = Date.now();
    if (url.pathname === '/call-update') {
      const line = await request.json();
      this.team ??= line.team;
      if (line.rev <= (this.lines.get(line.call_id)?.rev ?? -1)) return noContent(); // late, stale
      this.lines.set(line.call_id, line);
      this.unsaved.add(line.call_id);
      if (this.pending) return noContent(); // the alarm already set will carry it
      if (now >= this.lastSent + FEED_INTERVAL_MS) this.push(now);
      else {
        this.pending = true;
        await this.ctx.storage.setAlarm(this.lastSent + FEED_INTERVAL_MS);
      }
      return noContent();
    }
    const team = url.pathname.split('/')[2];
    this.team ??= team;
    const params = new URLSearchParams({ role: 'supervisor', sub: url.searchParams.get('sub') ?? `console-${team}`, team });
    const [response, server] = accept(this.ctx, request, identityOf(params, null, now));
    if (server) server.send(json({ type: 'welcome', team, calls: this.lines.size }));
    return response;
  }

  async alarm() {
    if (!this.pending) return;
    const now = Date.now();
    if (now < this.lastSent + FEED_INTERVAL_MS) await this.ctx.storage.setAlarm(this.lastSent + FEED_INTERVAL_MS);
    else this.push(now);
  }

  webSocketMessage(ws, data) {
    let msg;
    try { msg = JSON.parse(data); } catch { return; }
    if (msg.type === 'ping') {
      if (msg.ref !== undefined) ws.send(json({ type: 'ack', ref: msg.ref }));
      ws.send(PONG);
    }
  }

  webSocketClose(ws, code) {
    try { ws.close(code === 1005 ? 1000 : code, 'bye'); } catch { /* already closed */ }
  }

  /** Writes the lines changed since the last push (≤ 50 rows a statement), then sends the feed. */
  push(now) {
    this.lastSent = now;
    this.pending = false;
    const unsaved = [...this.unsaved];
    this.unsaved.clear();
    for (let i = 0; i < unsaved.length; i += ROWS_PER_STATEMENT) {
      const chunk = unsaved.slice(i, i + ROWS_PER_STATEMENT);
      const values = chunk.flatMap((id) => [id, json(this.lines.get(id))]);
      this.sql.exec(`INSERT OR REPLACE INTO call_lines (call_id, line) VALUES ${chunk.map(() => '(?, ?)').join(', ')}`, ...values);
    }
    const consoles = this.ctx.getWebSockets('supervisor');
    if (!consoles.length) return;
    const feed = json({ type: 'feed', team: this.team, at: now, calls: [...this.lines.values()] });
    for (const ws of consoles) ws.send(feed);
  }
}
