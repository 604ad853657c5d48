/**
 * Presents a VirtualCard to the real PC/SC stack through vpcd (vsmartcard-vpcd): the card is a
 * TCP client of the vpcd reader driver inside pcscd. Connecting = card enters the field; closing
 * the socket = card removed. Framing is in vpcd-framing.ts.
 *
 * This is test equipment. Command and response APDUs (which contain the test card's PAN, because
 * they ARE the card) are logged only at trace level, in hex; other levels never carry payloads.
 */
import net from 'node:net';
import type { Logger } from 'pino';
import { RescardError, toHex } from '@rescard/shared';
import type { VirtualCard } from '../cards/virtual-card.js';
import { encodeFrame, FrameDecoder, VPCD_CONTROL } from './vpcd-framing.js';

export const VPCD_DEFAULT_HOST = '127.0.0.1';
export const VPCD_DEFAULT_PORT = 35963;

export interface PresentCardOptions {
  readonly card: VirtualCard;
  readonly host?: string;
  readonly port?: number;
  /** Remove the card this long after it entered the field; without it the card stays until removed. */
  readonly holdMs?: number;
  /** Remove the card right after answering this many command APDUs. */
  readonly removeAfterApdus?: number;
  /** Give up connecting to vpcd after this long (default 3000 ms). */
  readonly connectTimeoutMs?: number;
  readonly logger?: Logger;
}

/** Why the card left: its hold time ran out, the APDU limit, the card itself (fault), remove(), vpcd, an error. */
export type RemovalReason = 'hold-elapsed' | 'apdu-limit' | 'card-left' | 'removed' | 'vpcd-closed' | 'error';

export interface PresentedCard {
  /** Resolves (never rejects) once the socket is closed; see `reason` and `error`. */
  readonly removed: Promise<void>;
  /** Take the card away now; resolves when the socket is closed. */
  remove(): Promise<void>;
  /** Command APDUs received so far. */
  readonly apduCount: number;
  readonly reason: RemovalReason | undefined;
  readonly error: Error | undefined;
}

/** Upper bound for flushing the last bytes before the socket is destroyed anyway. */
const CLOSE_GRACE_MS = 1000;

/**
 * Connects to vpcd and serves the card. Resolves once vpcd has polled the card (it is in the
 * field); rejects (READER_NOT_FOUND) when vpcd cannot be reached or does not take the card.
 */
export async function presentCard(options: PresentCardOptions): Promise<PresentedCard> {
  const host = options.host ?? VPCD_DEFAULT_HOST;
  const port = options.port ?? VPCD_DEFAULT_PORT;
  const log = options.logger?.child({ module: 'vpcd-client', port });
  const socket = await connect(host, port, options.connectTimeoutMs ?? 3000);
  const { card } = options;
  const decoder = new FrameDecoder();
  const state = { apduCount: 0, reason: undefined as RemovalReason | undefined, error: undefined as Error | undefined };
  let queue: Promise<void> = Promise.resolve();
  let holdTimer: NodeJS.Timeout | undefined;
  let graceTimer: NodeJS.Timeout | undefined;

  const removed = new Promise<void>((resolve) => {
    socket.once('close', () => {
      clearTimeout(holdTimer);
      clearTimeout(graceTimer);
      state.reason ??= 'vpcd-closed';
      log?.debug({ reason: state.reason, apduCount: state.apduCount }, 'card removed');
      resolve();
    });
  });

  const finish = (reason: RemovalReason): void => {
    if (state.reason !== undefined) return;
    state.reason = reason;
    clearTimeout(holdTimer);
    // vpcd notices a closed peer only on its next presence poll: once our last bytes and FIN
    // are flushed the socket is destroyed, so `removed` does not wait for that poll.
    socket.end(() => socket.destroy());
    graceTimer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
  };

  const send = (payload: Uint8Array): void => {
    if (state.reason === undefined && socket.writable) socket.write(encodeFrame(payload));
  };

  const handleControl = (code: number): void => {
    if (code === VPCD_CONTROL.GET_ATR) send(card.atr);
    else if (code === VPCD_CONTROL.POWER_ON || code === VPCD_CONTROL.RESET) card.reset?.();
    else if (code !== VPCD_CONTROL.POWER_OFF) log?.warn({ code }, 'unknown vpcd control code ignored');
    log?.trace({ code }, 'vpcd control');
  };

  const handleApdu = async (apdu: Buffer): Promise<void> => {
    state.apduCount += 1;
    log?.trace({ apdu: toHex(apdu) }, 'C');
    const response = await card.transmit(apdu);
    if (response) {
      log?.trace({ apdu: toHex(response) }, 'R');
      send(response);
    } else log?.trace('card stays silent');
    if (card.removed === true) finish('card-left');
    else if (options.removeAfterApdus !== undefined && state.apduCount >= options.removeAfterApdus) finish('apdu-limit');
  };

  const handleFrame = async (frame: Buffer): Promise<void> => {
    if (state.reason !== undefined) return;
    try {
      if (frame.length === 1) handleControl(frame[0]!);
      else if (frame.length > 1) await handleApdu(frame);
    } catch (err) {
      state.error = err as Error;
      log?.error({ err }, 'virtual card failed');
      finish('error');
    }
  };

  // vpcd accepts one card per slot and polls it about every 400 ms; a TCP connect completes
  // even while the connection still waits in the backlog (the previous card not yet noticed as
  // gone). The card is "in the field" only once vpcd has spoken to it.
  let heard: () => void = () => undefined;
  const firstFrame = new Promise<void>((resolve) => (heard = resolve));
  socket.on('data', (chunk: Buffer) => {
    heard();
    for (const frame of decoder.push(chunk)) queue = queue.then(() => handleFrame(frame));
  });
  socket.on('error', (err) => {
    state.error ??= err;
    if (state.reason === undefined) state.reason = 'error';
    log?.warn({ err }, 'vpcd connection error');
  });

  card.reset?.();
  const acceptMs = options.connectTimeoutMs ?? 3000;
  let acceptTimer: NodeJS.Timeout | undefined;
  const accepted = await Promise.race([
    firstFrame.then(() => true),
    new Promise<boolean>((resolve) => (acceptTimer = setTimeout(() => resolve(false), acceptMs))),
  ]);
  clearTimeout(acceptTimer);
  if (!accepted) {
    socket.destroy();
    throw new RescardError('READER_NOT_FOUND', `vpcd at ${host}:${port} did not take the card within ${acceptMs} ms (slot busy or not polled by pcscd)`, { host, port });
  }
  if (options.holdMs !== undefined) holdTimer = setTimeout(() => finish('hold-elapsed'), options.holdMs);
  log?.debug({ host }, 'card presented');

  return {
    removed,
    remove: () => {
      finish('removed');
      return removed;
    },
    get apduCount() {
      return state.apduCount;
    },
    get reason() {
      return state.reason;
    },
    get error() {
      return state.error;
    },
  };
}

function connect(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host, port, noDelay: true });
    const fail = (reason: string, cause?: unknown): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        new RescardError('READER_NOT_FOUND', `cannot reach vpcd at ${host}:${port} (${reason}); is pcscd running with vsmartcard-vpcd?`, { host, port }, { cause }),
      );
    };
    // vpcd listens with a zero backlog and serves one card per slot: a timeout (rather than a
    // refusal) means the port is open but nobody accepts, i.e. the slot is busy or not served.
    const timer = setTimeout(() => fail(`port open but not accepting within ${timeoutMs} ms: slot busy or not served by pcscd`), timeoutMs);
    socket.once('error', (err) => fail(err.message, err));
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}
