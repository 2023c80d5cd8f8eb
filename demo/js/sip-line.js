// The agent page's phone line: registers over SIP-over-WebSocket (RFC 7118, SIP.js) and hands each
// incoming phone call to the page as audio in (what the caller says) and audio out (what the caller
// hears), so the hub can treat the caller like any other customer.
import { Registerer, RegistererState, SessionState, UserAgent, Web } from '../vendor/sip.js/sip.js';

/**
 * Opens the line: registers `aor` (e.g. `sip:agent-ada@sip.example`) at the SIP-over-WebSocket
 * server `server` (ws:// or wss://). Calls `onCall(call)` for each incoming call (see `phoneCall`)
 * and `onState(state)` with 'registered', 'unregistered' or 'failed: …'. Resolves once registered,
 * with `{ close() }`; rejects with a clear error when the server cannot be reached or refuses.
 * `iceServers`: the page's STUN/TURN servers (none on loopback; SIP.js would otherwise add a
 * public STUN server of its own).
 */
export async function openPhoneLine({ server, aor, displayName, iceServers = [], onCall, onState = () => {} }) {
  const uri = UserAgent.makeURI(aor);
  if (!uri) throw new Error(`not a SIP address: ${aor}`);
  // What each call sends: set by call.accept() before SIP.js asks for it.
  const outgoing = new WeakMap();
  const userAgent = new UserAgent({
    uri,
    displayName,
    transportOptions: { server },
    logLevel: 'error',
    sessionDescriptionHandlerFactory: (session, options) => new Web.SessionDescriptionHandler(
      session.userAgent.getLogger('sip.SessionDescriptionHandler'),
      // SIP.js stops the tracks it was given when the call ends: give it clones, keep the originals.
      async () => new MediaStream(outgoing.get(session).getAudioTracks().map((track) => track.clone())),
      {
        iceGatheringTimeout: options?.iceGatheringTimeout ?? 2000,
        peerConnectionConfiguration: { ...Web.defaultPeerConnectionConfiguration(), iceServers },
      },
    ),
    delegate: {
      onInvite: (invitation) => onCall(phoneCall(invitation, outgoing)),
      onDisconnect: (error) => error && onState(`failed: the SIP server went away (${error.message})`),
    },
  });
  try {
    await userAgent.start();
  } catch (error) {
    throw new Error(`cannot reach the SIP server at ${server}: ${error.message}`);
  }
  const registerer = new Registerer(userAgent);
  const registered = new Promise((resolve, reject) => {
    registerer.stateChange.addListener((state) => {
      if (state === RegistererState.Registered) resolve();
      if (state === RegistererState.Unregistered) reject(new Error(`the SIP server refused to register ${aor}`));
      onState(state === RegistererState.Registered ? 'registered' : 'unregistered');
    });
  });
  try {
    await registerer.register({
      requestDelegate: { onReject: (response) => onState(`failed: ${response.message.statusCode} ${response.message.reasonPhrase}`) },
    });
    await registered;
  } catch (error) {
    await userAgent.stop().catch(() => {});
    throw error;
  }
  return {
    /** Unregisters and disconnects; calls in progress are hung up first. */
    async close() {
      await registerer.unregister().catch(() => {});
      await userAgent.stop();
    },
  };
}

/**
 * One incoming phone call: `from` ({ number, name }), `accept(outgoingStream)` (resolves with the
 * caller's audio as a MediaStream once the call is up), `reject()`, `hangUp()`, `ended` (a promise
 * resolving with who ended it, 'caller' or 'agent', or a failure reason), and `peerConnection()`.
 */
function phoneCall(invitation, outgoing) {
  const identity = invitation.remoteIdentity;
  let endedBy = 'caller';
  const ended = new Promise((resolve) => {
    invitation.stateChange.addListener((state) => {
      if (state === SessionState.Terminated) resolve(endedBy);
    });
  });
  return {
    from: { number: identity.uri.user ?? '', name: identity.displayName ?? '' },
    ended,
    async accept(outgoingStream) {
      outgoing.set(invitation, outgoingStream);
      await invitation.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } });
      return invitation.sessionDescriptionHandler.remoteMediaStream;
    },
    reject: () => invitation.reject(),
    async hangUp() {
      endedBy = 'agent';
      if (invitation.state === SessionState.Established) await invitation.bye();
      else if (invitation.state !== SessionState.Terminated) await invitation.reject();
    },
    peerConnection: () => invitation.sessionDescriptionHandler?.peerConnection,
  };
}
