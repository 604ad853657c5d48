/**
 * The control panel against the simulated turnstile PD (hardware-sim, its own codec) on an
 * in-memory line, on virtual time: Secure Channel, polling, offline and back, tampered MACs,
 * line faults, install mode and KEYSET.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { crc16, decodeFrame, SCBK_D } from '../../protocol/osdp/index.js';
import { osdpRig, SITE_KEY } from './osdp-test-rig.js';

type Rig = ReturnType<typeof osdpRig>;
let rig: Rig | undefined;

async function started(options: Parameters<typeof osdpRig>[0] = {}): Promise<Rig> {
  rig = osdpRig(options);
  rig.cp.start();
  await rig.scheduler.until(() => rig!.cp.state(0).online, 5000);
  return rig;
}

afterEach(async () => {
  await rig?.cp.stop();
  rig = undefined;
});

/** Flip one bit of the MAC in every packet the interceptor sees, keeping the CRC valid. */
function tamperMac(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy[copy.length - 3] = copy[copy.length - 3]! ^ 0x01;
  copy.writeUInt16LE(crc16(copy, 0, copy.length - 2), copy.length - 2);
  return copy;
}

describe('OsdpControlPanel with the simulated turnstile', () => {
  it('brings the PD online over the Secure Channel; only ID, CAP and the handshake go in clear', async () => {
    const r = await started();
    expect(r.events[0]).toMatchObject({ event: 'online', payload: { address: 0, secure: true } });
    expect(r.pd.secure).toBe(true);
    await r.scheduler.advance(1000);
    const sent = r.cpEnd.written.map((b) => decodeFrame(b));
    const clear = sent.filter((f) => f.scb === undefined).map((f) => f.code);
    expect(clear).toEqual([0x61, 0x62]); // osdp_ID, osdp_CAP
    expect(sent.slice(2, 4).map((f) => f.scb?.type)).toEqual([0x11, 0x13]); // CHLNG, SCRYPT
    expect(sent.slice(4).every((f) => f.scb?.type === 0x15 || f.scb?.type === 0x17)).toBe(true);
    expect(sent.filter((f) => f.code === 0x60).length).toBeGreaterThanOrEqual(9); // a POLL every 100 ms
  });

  it('reports input changes and cards from the PD as events', async () => {
    const r = await started();
    r.turnstile.presentCard(26, Buffer.from('123456C0', 'hex'));
    await r.scheduler.advance(200);
    expect(r.events.find((e) => e.event === 'card')?.payload).toMatchObject({ bitCount: 26, data: Buffer.from('123456C0', 'hex') });
  });

  it('goes offline after the missed replies, refuses commands meanwhile, and comes back', async () => {
    const r = await started();
    r.pd.offline();
    const wentOffline = await r.scheduler.until(() => r.count('offline') === 1, 5000);
    expect(wentOffline).toBeLessThanOrEqual(100 + 4 * 200 + 10); // next poll + 1 try + 3 retries
    expect(r.cp.state(0)).toMatchObject({ online: false, secure: false, lastError: expect.stringContaining('no reply') });
    await expect(r.cp.device(0).output(0, true, 1000)).rejects.toMatchObject({ code: 'OSDP_PD_OFFLINE' });
    await r.scheduler.advance(3000);
    expect(r.count('offline')).toBe(1); // announced once, not per reconnect attempt
    r.pd.online();
    await r.scheduler.until(() => r.count('online') === 2, 3000);
    expect(r.cp.state(0).secure).toBe(true);
  });

  it('a command that meets silence fails after its retries and takes the PD offline', async () => {
    const r = await started();
    r.pd.offline();
    const out = r.cp.device(0).output(0, true, 1000);
    const failed = expect(out).rejects.toMatchObject({ code: 'OSDP_PD_OFFLINE', details: { command: 'out' } });
    await r.scheduler.advance(1000);
    await failed;
    expect(r.count('offline')).toBe(1);
    expect(r.cp.stats.bus.timeouts).toBe(4);
  });

  it('rejects a reply with a tampered MAC, drops the session and sets up a new one', async () => {
    const r = await started();
    let tampered = 0;
    r.pdEnd.intercept((bytes) => (tampered++ === 0 ? tamperMac(bytes) : bytes));
    await expect(r.cp.device(0).buzz({ onMs: 100, offMs: 0, count: 1 })).rejects.toMatchObject({ code: 'OSDP_SC_FAILED' });
    expect(r.events.find((e) => e.event === 'secure-channel-lost')?.payload).toMatchObject({ reason: 'MAC does not verify' });
    await r.scheduler.until(() => r.cp.state(0).online && r.cp.state(0).secure, 2000);
    expect(r.count('offline')).toBe(0);
    await r.cp.device(0).buzz({ onMs: 100, offMs: 0, count: 1 });
  });

  it('notices when the PD drops the session after a tampered command, and recovers', async () => {
    const r = await started();
    let once = true;
    r.cpEnd.intercept((bytes) => (once && decodeFrame(bytes).code === 0x6a ? ((once = false), tamperMac(bytes)) : bytes));
    await expect(r.cp.device(0).buzz({ onMs: 100, offMs: 0, count: 1 })).rejects.toMatchObject({ code: 'OSDP_NAK', details: { reason: 6 } });
    expect(r.pd.macFailures).toBe(1);
    await r.scheduler.until(() => r.cp.state(0).online && r.pd.secure, 2000);
  });

  it('rides through CRC errors and slow replies with retries', async () => {
    const r = await started();
    r.pd.faults = { crcEvery: 3 };
    await r.scheduler.advance(2000);
    expect(r.cp.stats.parser.checkErrors).toBeGreaterThan(3);
    expect(r.cp.state(0).online).toBe(true);
    r.pd.faults = { slowMs: 250 };
    const shown = r.cp.device(0).text('Slow line');
    await r.scheduler.advance(1000);
    await shown;
    expect(r.turnstile.log).toContain('TEXT "Slow line"');
    expect(r.cp.stats.bus.timeouts).toBeGreaterThan(0);
    expect(r.count('offline')).toBe(0);
  });

  it('refuses a wrong key (the client cryptogram does not verify) and stays offline', async () => {
    rig = osdpRig({ sim: { scbk: Buffer.alloc(16, 0x77) } });
    rig.cp.start();
    await rig.scheduler.until(() => rig!.count('offline') === 1, 3000);
    expect(rig.cp.state(0).lastError).toMatch(/another key/);
  });

  it('install mode needs allowInstallMode; then KEYSET moves both ends to the new key', async () => {
    expect(() => osdpRig({ pd: { installMode: true } })).toThrow(expect.objectContaining({ code: 'OSDP_INSTALL_MODE_REFUSED' }));
    const r = await started({ pd: { installMode: true, allowInstallMode: true }, sim: { installMode: true } });
    let newKey: Buffer | undefined;
    r.pd.onKeyChange = (key) => (newKey = key);
    await r.cp.provisionKey(0, SITE_KEY);
    expect(newKey).toEqual(SITE_KEY);
    await r.scheduler.until(() => r.cp.state(0).online && r.pd.secure, 2000);
    const handshake = r.cpEnd.written.map((b) => decodeFrame(b)).filter((f) => f.code === 0x76);
    expect(handshake.map((f) => f.scb?.data[0])).toEqual([0x00, 0x01]); // SCBK-D first, then the site key
    expect(SCBK_D).not.toEqual(SITE_KEY);
  });
});
