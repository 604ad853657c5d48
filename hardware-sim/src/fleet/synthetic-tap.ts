/**
 * Synthetic taps for the fleet generator: schema-valid TapWire (protocol v1) made from a seeded
 * PRNG, never from a card. Tokens are SHA-256 of (seed, card index) in base64url (43 chars, the
 * shape of a real HMAC token but of nothing); masked PANs use the Mir test range
 * (220000******NNNN). No PAN exists anywhere in this file.
 */
import { createHash } from 'node:crypto';
import type { TapWire } from '@rescard/shared';

export type FleetProfile = 'bus' | 'gate' | 'canteen';

/** mulberry32: small, fast, seeded; good enough to spread cards and outcomes. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticToken(seed: number, card: number): string {
  return createHash('sha256').update(`rescard-fleet:${seed}:${card}`).digest('base64url');
}

export interface SyntheticTapInput {
  readonly deviceId: string;
  readonly bootId: string;
  readonly seq: number;
  readonly wallMs: number;
  readonly monoMs: number;
  readonly profile: FleetProfile;
  readonly card: number;
  readonly token: string;
  /** 0..1: decides the outcome (5 % denied). */
  readonly roll: number;
  readonly listVersions: Partial<Record<'benefit' | 'stoplist' | 'roster' | 'canteen', number>>;
}

const FLAGS = { staleList: false, restricted: false, clockFault: false } as const;

export function syntheticTap(t: SyntheticTapInput): TapWire {
  const denied = t.roll < 0.05;
  const base = {
    seq: t.seq,
    tapId: `${t.deviceId}-${t.bootId}-${t.seq}`.slice(0, 64),
    wallMs: t.wallMs,
    monoMs: t.monoMs,
    bootId: t.bootId,
    token: t.token,
    kid: 'fleet-sim',
    parToken: null,
    panMasked: `220000******${String(t.card % 10_000).padStart(4, '0')}`,
    scheme: 'MIR',
    profile: t.profile,
    amountKopecks: 0,
    flags: { ...FLAGS },
    listVersions: { ...t.listVersions },
    readMs: 180 + Math.round(t.roll * 100),
  };
  switch (t.profile) {
    case 'bus':
      return denied
        ? { ...base, context: { routeId: 'r42', vehicleId: t.deviceId, utcOffsetMinutes: 180 }, outcome: 'DENY', reason: 'NOT_ENTITLED', counted: null }
        : {
            ...base, context: { routeId: 'r42', vehicleId: t.deviceId, utcOffsetMinutes: 180 }, outcome: 'ALLOW', reason: 'OK_FREE', counted: 'RIDE',
            fare: { type: 'FREE', kopecks: 0, category: 'pensioner' },
          };
    case 'gate':
      return {
        ...base, context: { schoolId: 'fleet-school', gateId: t.deviceId, utcOffsetMinutes: 180 }, direction: t.seq % 2 === 1 ? 'IN' : 'OUT',
        ...(denied ? { outcome: 'DENY', reason: 'NOT_ON_ROSTER', counted: null } : { outcome: 'ALLOW', reason: 'OK_PASS', counted: 'PASSAGE' }),
      };
    case 'canteen':
      return {
        ...base, context: { schoolId: 'fleet-school', utcOffsetMinutes: 180 },
        ...(denied
          ? { outcome: 'DENY', reason: 'NO_ENTITLEMENT', counted: null }
          : { outcome: 'ALLOW', reason: 'OK_MEAL', counted: 'MEAL', meal: { window: 'lunch', free: true, priceKopecks: 0, remainingKopecks: 0 } }),
      };
  }
}
