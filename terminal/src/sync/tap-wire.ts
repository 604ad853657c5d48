/**
 * TapRecord (journal) -> TapWire (protocol v1). The message texts stay on the device (the hop
 * has the reason code); everything else travels. There is no PAN to drop: the journal never
 * had one (token and masked PAN only).
 */
import type { TapWire } from '@rescard/shared';
import type { TapRecord } from '../ports/tap-journal.js';

export function toTapWire(r: TapRecord): TapWire {
  const d = r.decision;
  return {
    seq: r.seq,
    tapId: r.tapId,
    wallMs: r.wallMs,
    monoMs: r.monoMs,
    bootId: r.bootId,
    token: r.token,
    kid: r.kid,
    parToken: r.parToken,
    panMasked: r.panMasked,
    scheme: r.scheme,
    profile: r.context.profile,
    context: contextWire(r.context),
    outcome: d.outcome,
    reason: d.reason,
    counted: d.counted,
    amountKopecks: d.amountKopecks,
    ...(d.fare ? { fare: { type: d.fare.type, kopecks: d.fare.kopecks, category: d.fare.category } } : {}),
    ...(d.meal ? { meal: { window: d.meal.window, free: d.meal.free, priceKopecks: d.meal.priceKopecks, remainingKopecks: d.meal.remainingKopecks } } : {}),
    ...(d.direction ? { direction: d.direction } : {}),
    flags: { staleList: d.flags.staleList, restricted: d.flags.restricted, clockFault: d.flags.clockFault },
    listVersions: { ...r.listVersions },
    readMs: r.readMs,
    ...(r.position ? { position: { ...r.position } } : {}),
  };
}

function contextWire(c: TapRecord['context']): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(c)) if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  return out;
}
