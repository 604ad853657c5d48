/**
 * The two retained messages of list distribution, built from what is on disk and in the state:
 * the announcement of a list's published version (topics.list) and the signed freshness of an
 * audience (topics.freshness). URLs are relative ("lists/<audience>/<list>/<file>"): a device
 * resolves them against its configured base URL (the server, or its gateway's cache).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  encodePayload, signFreshness, topics, type ListAnnounce, type ListSigner, type ProtocolListName,
} from '@rescard/shared';
import { INLINE_MAX_BYTES, deltaName, listDir, newestSnapshot, snapshotName } from './list-files.js';
import type { ListKey, ListState } from './list-db.js';

export type Publish = (topic: string, payload: Buffer, opts: { retain: boolean; qos: 0 | 1 }) => Promise<void>;

export const listFileUrl = (key: ListKey, name: string): string => `lists/${encodeURIComponent(key.audience)}/${key.list}/${name}`;

const size = (path: string): Promise<number | null> => stat(path).then((s) => s.size, () => null);

/**
 * The announcement of `st.published`: its delta (inline when small), and the newest snapshot on
 * disk at or below it — the version's own once built, an older one until then (ADR 0004 §3). Null
 * when no snapshot is on disk at all (rebuild). Never names a file that is not on disk.
 */
export async function buildAnnouncement(filesDir: string, st: ListState): Promise<ListAnnounce | null> {
  if (st.published === 0) return null;
  const dir = listDir(filesDir, st);
  const snapshot = await newestSnapshot(dir, st.published);
  if (snapshot === null) return null;
  const msg: ListAnnounce = {
    v: 1, list: st.list as ProtocolListName, audience: st.audience, version: st.published, snapshotUrl: listFileUrl(st, snapshotName(snapshot)),
  };
  if (st.publishedBase === null) return msg;
  const name = deltaName(st.publishedBase, st.published);
  const bytes = await size(join(dir, name));
  if (bytes === null) return msg; // pruned or lost: devices take the snapshot
  const inline = bytes <= INLINE_MAX_BYTES ? await readFile(join(dir, name), 'utf8') : undefined;
  return { ...msg, delta: { baseVersion: st.publishedBase, url: listFileUrl(st, name), ...(inline === undefined ? {} : { inline }) } };
}

export async function publishAnnouncement(publish: Publish, msg: ListAnnounce): Promise<void> {
  await publish(topics.list(msg.audience, msg.list), encodePayload(msg), { retain: true, qos: 1 });
}

/** Sign and publish the freshness of `audience`: the published version of each of its lists. */
export async function publishFreshness(
  publish: Publish, signer: ListSigner, audience: string, states: readonly ListState[], nowMs: number, ttlMs: number,
): Promise<void> {
  const lists: Partial<Record<ProtocolListName, number>> = {};
  for (const st of states) if (st.audience === audience && st.published > 0) lists[st.list as ProtocolListName] = st.published;
  if (Object.keys(lists).length === 0) return;
  const msg = signFreshness(
    { v: 1, audience, lists, issuedAt: new Date(nowMs).toISOString(), expiresAt: new Date(nowMs + ttlMs).toISOString() }, signer,
  );
  await publish(topics.freshness(audience), encodePayload(msg), { retain: true, qos: 1 });
}
