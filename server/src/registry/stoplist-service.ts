/**
 * The operators' stop-list (audience "region"): add or remove a card by PAN (tokenised at once),
 * PAR or token, with a reason code, an optional expiry and a note. Each change goes out through
 * the list service (a new signed version) and its metadata lands in registry.db; the answer
 * carries the new list version. Expired entries leave the list at each change and at every
 * sweep (a timer; virtual time in tests through `clock`).
 *
 * An entry's expiry is also signed into the list as its last valid local date (`validTo`, in
 * `timeZone`), so a device that misses the removal still stops refusing the card after that day.
 */
import { RescardError, type TokenKeyring } from '@rescard/shared';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { ListService } from '../lists/index.js';
import { resolveCard, type CardRefInput } from './card-ref.js';
import { STOP_REASONS, StopStore, type StopEntry, type StopEvent, type StopReason } from './stop-store.js';

export type StopListPort = Pick<ListService, 'upsert' | 'remove' | 'states' | 'setEntries'>;

export interface StopListDeps {
  readonly db: Database.Database;
  readonly lists: StopListPort;
  readonly keyring: TokenKeyring;
  readonly clock: { wallMs(): number };
  readonly log: Logger;
  /** The region's time zone for the local `validTo` date (default Europe/Moscow). */
  readonly timeZone?: string;
  readonly sweepIntervalMs?: number;
}

export interface StopAddRequest extends CardRefInput {
  readonly reason: string;
  readonly expiresAt?: string | undefined;
  readonly note?: string | undefined;
  readonly actor: string;
}

export interface StopChange {
  readonly version: number;
  readonly token: string;
  readonly kid: string;
  readonly panMasked: string | null;
  readonly reason: StopReason | null;
  readonly expiresAt: string | null;
}

const MAX_NOTE_CHARS = 500;
const MAX_EXPIRY_MS = 10 * 366 * 24 * 3600_000;
/** 12 or more digits, maybe split by spaces or dashes: possibly a card number, never stored. */
const CARD_NUMBER_LIKE = /\d(?:[\s-]?\d){11,}/;
const LIST = 'stoplist';
const AUDIENCE = 'region';

const bad = (message: string, details: Record<string, unknown> = {}): RescardError => new RescardError('REQUEST_INVALID', message, details);

export function createStopList(deps: StopListDeps): {
  add(req: StopAddRequest): Promise<StopChange>;
  remove(req: CardRefInput & { actor: string; note?: string | undefined }): Promise<StopChange>;
  sweep(): Promise<{ removed: number; version: number | null }>;
  entry(token: string): StopEntry | null;
  history(token: string, limit: number): StopEvent[];
  /** Publishes an empty signed v1 when the region has no stop-list yet, then starts the sweep. */
  start(): Promise<void>;
  stop(): Promise<void>;
} {
  const log = deps.log.child({ module: 'stoplist' });
  const store = new StopStore(deps.db);
  const localDate = new Intl.DateTimeFormat('en-CA', { timeZone: deps.timeZone ?? 'Europe/Moscow', year: 'numeric', month: '2-digit', day: '2-digit' });
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;

  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  };
  const currentVersion = (): number => deps.lists.states().find((s) => s.list === LIST && s.audience === AUDIENCE)?.version ?? 0;

  async function sweepNow(): Promise<{ removed: number; version: number | null }> {
    const now = deps.clock.wallMs();
    const expired = store.expired(now);
    if (expired.length === 0) return { removed: 0, version: null };
    const tokens = expired.map((e) => e.token);
    const version = await deps.lists.remove(LIST, AUDIENCE, tokens);
    store.delete(tokens, { action: 'expire', note: null, actor: 'system:expiry', atMs: now, version });
    log.info({ removed: tokens.length, version }, 'expired stop-list entries removed');
    return { removed: tokens.length, version };
  }

  function checkNote(note: string | undefined): string | null {
    if (note === undefined || note.trim() === '') return null;
    if (note.length > MAX_NOTE_CHARS) throw bad(`note is longer than ${MAX_NOTE_CHARS} characters`);
    if (CARD_NUMBER_LIKE.test(note)) throw bad('note must not contain a card number (12 or more digits): name the card in pan or token only');
    return note.trim();
  }

  function checkExpiry(expiresAt: string | undefined, now: number): number | null {
    if (expiresAt === undefined) return null;
    const ms = Date.parse(expiresAt);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(expiresAt) || Number.isNaN(ms)) throw bad('expiresAt must be an ISO 8601 date-time (e.g. 2025-10-01T00:00:00+03:00)');
    if (ms <= now) throw bad('expiresAt is not in the future');
    if (ms - now > MAX_EXPIRY_MS) throw bad('expiresAt is more than 10 years away');
    return ms;
  }

  const change = (e: { token: string; kid: string; panMasked: string | null; reason: StopReason | null; expiresAtMs: number | null }, version: number): StopChange => ({
    version, token: e.token, kid: e.kid, panMasked: e.panMasked, reason: e.reason, expiresAt: e.expiresAtMs === null ? null : new Date(e.expiresAtMs).toISOString(),
  });

  return {
    add: (req) => serial(async () => {
      const card = resolveCard(req, deps.keyring);
      if (!(STOP_REASONS as readonly string[]).includes(req.reason)) throw bad(`reason must be one of ${STOP_REASONS.join(', ')}`);
      const reason = req.reason as StopReason;
      const now = deps.clock.wallMs();
      const note = checkNote(req.note);
      const expiresAtMs = checkExpiry(req.expiresAt, now);
      await sweepNow();
      const before = store.get(card.token);
      const validTo = expiresAtMs === null ? null : localDate.format(expiresAtMs);
      const version = await deps.lists.upsert(LIST, AUDIENCE, [{ token: card.token, validTo, attrs: { reason } }]);
      const entry: StopEntry = { token: card.token, kid: card.kid, reason, note, expiresAtMs, panMasked: card.panMasked ?? before?.panMasked ?? null, addedBy: req.actor, addedAtMs: now, version };
      try {
        store.put(entry, before === null ? 'add' : 'update');
      } catch (err) {
        // The card is blocked but its record failed: keep it blocked (the safe side) and say so.
        log.error({ err, token: card.token, version }, 'stop-list entry distributed but its record failed');
        throw err;
      }
      log.info({ token: card.token, panMasked: entry.panMasked, reason, version, actor: req.actor, expiresAtMs }, before === null ? 'card stop-listed' : 'stop-list entry updated');
      return change(entry, version);
    }),
    remove: (req) => serial(async () => {
      const card = resolveCard(req, deps.keyring);
      const note = checkNote(req.note);
      await sweepNow();
      const before = store.get(card.token);
      const was = currentVersion();
      const version = await deps.lists.remove(LIST, AUDIENCE, [card.token]);
      if (before === null && version === was) {
        throw new RescardError('REQUEST_INVALID', 'the card is not on the stop-list', { status: 404, token: card.token });
      }
      store.delete([card.token], { action: 'remove', note, actor: req.actor, atMs: deps.clock.wallMs(), version });
      log.info({ token: card.token, panMasked: card.panMasked ?? before?.panMasked ?? null, version, actor: req.actor }, 'card removed from the stop-list');
      return change({ ...card, panMasked: card.panMasked ?? before?.panMasked ?? null, reason: before?.reason ?? null, expiresAtMs: null }, version);
    }),
    sweep: () => serial(sweepNow),
    entry: (token) => store.get(token),
    history: (token, limit) => store.history(token, limit),
    async start() {
      // A device with no stop-list runs restricted (terminal/src/core/restricted-mode.ts): a new
      // region starts with a signed one, not with none. Its entries are the ones registry.db holds
      // in force: none in a new region; all of them when the list files were lost or restored
      // without registry.db (an empty list then would unblock every blocked card).
      if (currentVersion() === 0) {
        const now = deps.clock.wallMs();
        const inForce = store.all().filter((e) => e.expiresAtMs === null || e.expiresAtMs > now);
        const entries = inForce.map((e) => ({ token: e.token, validTo: e.expiresAtMs === null ? null : localDate.format(e.expiresAtMs), attrs: { reason: e.reason } }));
        const version = await serial(() => deps.lists.setEntries(LIST, AUDIENCE, entries));
        if (entries.length === 0) log.info({ list: LIST, audience: AUDIENCE, version }, 'no stop-list yet: an empty one published');
        else log.warn({ list: LIST, audience: AUDIENCE, version, entries: entries.length }, 'no stop-list in the list service: published again from the entries registry.db holds');
      }
      timer = setInterval(() => void serial(sweepNow).catch((err: unknown) => log.error({ err }, 'stop-list sweep failed')), deps.sweepIntervalMs ?? 60_000);
      timer.unref();
    },
    async stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      await chain;
    },
  };
}
