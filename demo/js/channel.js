// A WebSocket to the edge worker speaking docs/PROTOCOL.md: the token rides in Sec-WebSocket-Protocol,
// heartbeats keep the socket alive, requests carry a `ref` and resolve on their `ack` or reject with
// the worker's `error`, and every other frame is dispatched to handlers by its `type`.

const PROTOCOL = 'earshot.v1';

/** Close codes the worker documents, as words a person can read. */
const CLOSE_REASONS = {
  1000: 'closed',
  1011: 'internal error on the server',
  4400: 'malformed request',
  4401: 'not signed in (the token was refused)',
  4403: 'not allowed here',
  4404: 'no such call',
  4408: 'dropped after a silence',
  1007: 'a message was not valid UTF-8',
  4409: 'opened again in another tab',
  4410: 'the call has already ended',
  4412: 'the call already has four supervisors',
  4429: 'too many messages',
};

export function closeReason(code) {
  return CLOSE_REASONS[code] ?? `closed (${code})`;
}

/**
 * A frame as JSON text. The runtime puts U+FFFD where a frame's bytes were not UTF-8, so the worker
 * takes a raw U+FFFD for that and closes the socket (1007); a real one typed by a person is escaped.
 */
function wire(frame) {
  return JSON.stringify(frame).replaceAll('\uFFFD', '\\ufffd');
}

/**
 * An error the worker sent: `code` is the protocol's error code (e.g. `missing_capability`); the
 * frame's other fields ride along as they are (`ref`, and `confirm_required`'s `call_age_ms` and
 * `guard_minutes`), so callers read particulars from fields, never from the message.
 */
export class WorkerError extends Error {
  /** @param {import('./protocol.js').ErrorReport & { type?: 'error' }} frame */
  constructor(frame) {
    super(frame.message ?? frame.code);
    const { type: _type, message: _message, ...particulars } = frame;
    Object.assign(this, particulars);
  }
}

export class Channel {
  /** `path` is e.g. `/api/calls/<id>/ws`; `token` a signed token. Call `open()` next. */
  constructor(path, token) {
    this.url = new URL(path, location.href);
    this.url.protocol = this.url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.token = token;
    this.handlers = new Map();
    this.pending = new Map();
    this.nextRef = 1;
    this.closed = false;
  }

  /** Registers `handler(frame)` for frames of `type` (also 'close' with `{code, reason}`, and 'error'). */
  on(type, handler) {
    if (!this.handlers.has(type)) this.handlers.set(type, []);
    this.handlers.get(type).push(handler);
    return this;
  }

  emit(type, frame) {
    for (const handler of this.handlers.get(type) ?? []) handler(frame);
  }

  /** Opens the socket; resolves with the `welcome` frame or rejects with why the worker refused. */
  open() {
    return new Promise((resolve, reject) => {
      let welcomed = false;
      let refusal = null;
      const socket = new WebSocket(this.url, [PROTOCOL, `bearer.${this.token}`]);
      this.socket = socket;
      socket.onmessage = ({ data }) => {
        let frame;
        try {
          frame = JSON.parse(data);
        } catch {
          return;
        }
        if (frame.type === 'welcome' && !welcomed) {
          welcomed = true;
          this.startHeartbeat(frame.heartbeat_ms ?? 2000);
          resolve(frame);
        } else if (!welcomed && frame.type === 'error') {
          refusal = frame; // sent just before a refusal's close
        }
        this.dispatch(frame);
      };
      socket.onclose = ({ code }) => {
        this.closed = true;
        clearInterval(this.heartbeat);
        for (const { reject: fail } of this.pending.values()) fail(new Error(closeReason(code)));
        this.pending.clear();
        if (!welcomed) {
          const error = new Error(refusal?.message ?? closeReason(code));
          error.code = refusal?.code;
          error.closeCode = code;
          reject(error);
        }
        this.emit('close', { code, reason: closeReason(code) });
      };
    });
  }

  dispatch(frame) {
    const waiting = frame.ref === undefined ? undefined : this.pending.get(frame.ref);
    if (waiting && (frame.type === 'ack' || frame.type === 'error')) {
      this.pending.delete(frame.ref);
      if (frame.type === 'ack') waiting.resolve(frame);
      else waiting.reject(new WorkerError(frame));
      return;
    }
    this.emit(frame.type, frame);
  }

  startHeartbeat(intervalMs) {
    this.heartbeat = setInterval(() => this.send({ type: 'ping' }), intervalMs);
  }

  /** Sends a frame without waiting for an answer. */
  send(frame) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(wire(frame));
  }

  /** Sends a frame with a fresh `ref`; resolves on its `ack`, rejects with a WorkerError. */
  request(frame) {
    const ref = this.nextRef++;
    return new Promise((resolve, reject) => {
      if (this.socket?.readyState !== WebSocket.OPEN) return reject(new Error('not connected'));
      this.pending.set(ref, { resolve, reject });
      this.socket.send(wire({ ...frame, ref }));
    });
  }

  close() {
    this.closed = true;
    clearInterval(this.heartbeat);
    this.socket?.close(1000);
  }
}
