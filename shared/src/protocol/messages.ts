/**
 * Payloads of protocol v1 as zod schemas: one per topic kind, every payload carries `v: 1`,
 * every receiver validates with `decodePayload` (strict: unknown fields are refused, so a
 * sender's mistake is seen at once rather than silently ignored). Numbers are JSON numbers;
 * times are epoch ms. No PAN ever: tokens and the masked PAN only.
 */
import { z } from 'zod';

const v = z.literal(1);
const id = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);
const token = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
const ms = z.number().finite();
const seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const listName = z.enum(['benefit', 'stoplist', 'roster', 'canteen']);
const audience = z.string().regex(/^(region|school:[A-Za-z0-9._-]{1,64})$/);

/** Batches are bounded: a terminal sends at most this many taps per message. */
export const MAX_TAPS_PER_BATCH = 500;
/** Any payload larger than this is rejected before parsing. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

export const tapWireSchema = z
  .object({
    seq,
    tapId: z.string().min(1).max(64),
    wallMs: ms,
    monoMs: ms,
    bootId: z.string().min(1).max(64),
    token,
    kid: z.string().min(1).max(32),
    parToken: token.nullable(),
    panMasked: z.string().regex(/^\d{6}\*{2,9}\d{4}$/),
    scheme: z.string().min(1).max(16),
    profile: z.enum(['bus', 'gate', 'canteen']),
    context: z.record(z.string(), z.union([z.string(), z.number()])),
    outcome: z.enum(['ALLOW', 'DENY', 'REPEAT', 'NOT_ENROLLED']),
    reason: z.string().min(1).max(64),
    counted: z.enum(['RIDE', 'COMPANION', 'PASSAGE', 'MEAL']).nullable(),
    amountKopecks: z.number().int().min(0),
    fare: z.object({ type: z.enum(['FREE', 'DISCOUNT']), kopecks: z.number().int().min(0), category: z.string() }).strict().optional(),
    meal: z.object({ window: z.string(), free: z.boolean(), priceKopecks: z.number().int().min(0), remainingKopecks: z.number().int() }).strict().optional(),
    direction: z.enum(['IN', 'OUT']).optional(),
    flags: z.object({ staleList: z.boolean(), restricted: z.boolean(), clockFault: z.boolean() }).strict(),
    listVersions: z.partialRecord(listName, z.number().int().min(0)),
    readMs: z.number().min(0),
    /** bus: position and stop at the tap (issue 6); absent elsewhere. */
    position: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).optional(),
  })
  .strict();

export const tapBatchSchema = z
  .object({ v, deviceId: id, batchId: z.string().min(1).max(64), sentAtMs: ms, taps: z.array(tapWireSchema).min(1).max(MAX_TAPS_PER_BATCH) })
  .strict();

/** "Everything up to and including committedUpTo is durable at the next hop" (contiguous). */
export const tapAckSchema = z
  .object({ v, deviceId: id, batchId: z.string().min(1).max(64), committedUpTo: z.number().int().min(0), duplicates: z.number().int().min(0) })
  .strict();

export const gatewayBatchSchema = z
  .object({ v, gatewayId: id, batchId: z.string().min(1).max(64), sentAtMs: ms, batches: z.array(tapBatchSchema.omit({ v: true })).min(1).max(64) })
  .strict();

export const gatewayAckSchema = z
  .object({ v, gatewayId: id, batchId: z.string().min(1).max(64), committed: z.array(z.object({ deviceId: id, committedUpTo: z.number().int().min(0) }).strict()) })
  .strict();

const listState = z.object({ version: z.number().int().min(0), ageMs: z.number().min(0).nullable(), stale: z.boolean() }).strict();

export const heartbeatSchema = z.union([
  z
    .object({
      v,
      deviceId: id,
      kind: z.enum(['terminal', 'gateway']),
      online: z.literal(true),
      atMs: ms,
      appVersion: z.string().max(32),
      profile: z.enum(['bus', 'gate', 'canteen', 'gateway']),
      queue: z.object({ depth: z.number().int().min(0), capacity: z.number().int().min(0), alarm: z.boolean(), oldestAgeMs: z.number().min(0).nullable() }).strict(),
      lists: z.partialRecord(listName, listState),
      restricted: z.boolean(),
      clockFault: z.boolean(),
      tapLatencyMs: z.object({ p50: z.number().min(0).nullable(), p99: z.number().min(0).nullable() }).strict(),
      alarms: z.array(z.string().max(64)).max(32),
      terminals: z.array(id).max(1000).optional(),
    })
    .strict(),
  z.object({ v, deviceId: id, online: z.literal(false) }).strict(),
]);

/** At most this many terminal statuses per relayed message (a gateway chunks its book). */
export const MAX_RELAYED_STATUSES = 100;

/**
 * A gateway's terminals, as the gateway last heard each of them: the terminal's own heartbeat
 * (or last will) and when the gateway received it. The server keeps the newest per terminal.
 */
export const terminalStatusesSchema = z
  .object({
    v,
    gatewayId: id,
    atMs: ms,
    statuses: z.array(z.object({ receivedAtMs: ms, status: heartbeatSchema }).strict()).min(1).max(MAX_RELAYED_STATUSES),
  })
  .strict();

/** A list version is available: fetch `snapshotUrl`, or apply `delta` if holding its base. */
export const listAnnounceSchema = z
  .object({
    v,
    list: listName,
    audience,
    version: z.number().int().min(1),
    snapshotUrl: z.string().min(1).max(512),
    delta: z.object({ baseVersion: z.number().int().min(1), url: z.string().min(1).max(512), inline: z.string().max(256 * 1024).optional() }).strict().optional(),
  })
  .strict();

/** Signed periodically: the lists named here at these versions are fresh until expiresAt. */
export const freshnessSchema = z
  .object({
    v,
    audience,
    lists: z.partialRecord(listName, z.number().int().min(1)),
    issuedAt: z.string().max(40),
    expiresAt: z.string().max(40),
    kid: z.string().min(1).max(32),
    signature: z.string().min(1).max(200),
  })
  .strict();

export type TapWire = z.infer<typeof tapWireSchema>;
export type TapBatch = z.infer<typeof tapBatchSchema>;
export type TapAck = z.infer<typeof tapAckSchema>;
export type GatewayBatch = z.infer<typeof gatewayBatchSchema>;
export type GatewayAck = z.infer<typeof gatewayAckSchema>;
export type Heartbeat = z.infer<typeof heartbeatSchema>;
export type TerminalStatuses = z.infer<typeof terminalStatusesSchema>;
export type ListAnnounce = z.infer<typeof listAnnounceSchema>;
export type Freshness = z.infer<typeof freshnessSchema>;
