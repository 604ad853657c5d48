/**
 * presentCard against a minimal vpcd stand-in (a TCP server speaking the vpcd framing the way
 * libifdvpcd does). The real pcscd + vpcd path is covered by test/vpcd-card-appears-in-pcscd.test.ts.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isRescardError } from '@rescard/shared';
import { buildProfileCard } from '../cards/profiles.js';
import { CONTACTLESS_ATR } from '../cards/virtual-card.js';
import { presentCard } from './vpcd-client.js';
import { encodeFrame, FrameDecoder, VPCD_CONTROL } from './vpcd-framing.js';

interface FakeVpcd {
  readonly port: number;
  /** Send one framed message, resolve with the card's framed answer. */
  exchange(payload: Buffer): Promise<Buffer>;
  send(payload: Buffer): void;
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function fakeVpcd(): Promise<{ port: number; accepted: Promise<FakeVpcd> }> {
  let onAccept: (peer: FakeVpcd) => void = () => undefined;
  const accepted = new Promise<FakeVpcd>((resolve) => (onAccept = resolve));
  const server = net.createServer((socket) => {
    const decoder = new FrameDecoder();
    const waiting: ((frame: Buffer) => void)[] = [];
    socket.on('data', (chunk: Buffer) => decoder.push(chunk).forEach((frame) => waiting.shift()?.(frame)));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Real vpcd polls a card as soon as it accepts it; presentCard waits for that first frame.
    // Power-off needs no answer, so it does not disturb the exchanges below.
    socket.write(encodeFrame(Buffer.from([VPCD_CONTROL.POWER_OFF])));
    onAccept({
      port: 0,
      send: (payload) => socket.write(encodeFrame(payload)),
      exchange: (payload) =>
        new Promise((resolve) => {
          waiting.push(resolve);
          socket.write(encodeFrame(payload));
        }),
      closed,
      close: () => {
        socket.destroy();
        return closed;
      },
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, accepted };
}

const PPSE = Buffer.from('00A404000E325041592E5359532E444446303100', 'hex');

describe('presentCard', () => {
  it('answers GET ATR and APDUs, counts APDUs and is removed on remove()', async () => {
    const vpcd = await fakeVpcd();
    const presented = await presentCard({ card: buildProfileCard('mir-debit').card, port: vpcd.port });
    const peer = await vpcd.accepted;
    expect((await peer.exchange(Buffer.from([0x04]))).equals(CONTACTLESS_ATR)).toBe(true);
    peer.send(Buffer.from([0x01])); // power on: no answer expected
    const fci = await peer.exchange(PPSE);
    expect(fci.subarray(-2).toString('hex')).toBe('9000');
    expect(presented.apduCount).toBe(1);
    await presented.remove();
    await peer.closed;
    expect(presented.reason).toBe('removed');
  });

  it('removes the card after removeAfterApdus', async () => {
    const vpcd = await fakeVpcd();
    const presented = await presentCard({ card: buildProfileCard('mir-debit').card, port: vpcd.port, removeAfterApdus: 1 });
    const peer = await vpcd.accepted;
    expect((await peer.exchange(PPSE)).length).toBeGreaterThan(2);
    await presented.removed;
    expect(presented.reason).toBe('apdu-limit');
  });

  it('drops the connection after the last response when the card leaves (removal mid-read)', async () => {
    const vpcd = await fakeVpcd();
    const presented = await presentCard({ card: buildProfileCard('fault-removed-mid-read').card, port: vpcd.port });
    const peer = await vpcd.accepted;
    await peer.exchange(Buffer.from('00A4040007A000000658101000', 'hex'));
    const gpo = await peer.exchange(Buffer.from(`80A80000238321${'00'.repeat(33)}00`, 'hex'));
    expect(gpo.subarray(-2).toString('hex')).toBe('9000');
    await presented.removed;
    await peer.closed;
    expect(presented.reason).toBe('card-left');
  });

  it('reports vpcd closing the connection', async () => {
    const vpcd = await fakeVpcd();
    const presented = await presentCard({ card: buildProfileCard('visa').card, port: vpcd.port });
    await (await vpcd.accepted).close();
    await presented.removed;
    expect(presented.reason).toBe('vpcd-closed');
  });

  it('rejects with READER_NOT_FOUND when nothing listens', async () => {
    const vpcd = await fakeVpcd();
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    const error = await presentCard({ card: buildProfileCard('visa').card, port: vpcd.port }).catch((err: unknown) => err);
    expect(isRescardError(error, 'READER_NOT_FOUND')).toBe(true);
  });
});
