/**
 * What the gateway relays and must remember across restarts, on gateway.db:
 * - retained upstream messages (list announcements, freshness) by topic, re-published locally
 *   at start (aedes keeps retained messages in memory only);
 * - the latest status of each terminal (heartbeat or last will), for the gateway's own heartbeat.
 * Both tables are bounded by what can exist: one row per topic of the configured audiences, and
 * one per terminal (the caller caps terminals at the heartbeat's 1000).
 */
import type Database from 'better-sqlite3';
import { guard } from './store-error.js';

export interface RetainedMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly updatedAtMs: number;
}

export class SqliteRelayState {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      putRetained: db.prepare<[string, Buffer, number]>(
        'INSERT INTO retained (topic, payload, updated_at_ms) VALUES (?, ?, ?) ON CONFLICT (topic) DO UPDATE SET payload = excluded.payload, updated_at_ms = excluded.updated_at_ms',
      ),
      getRetained: db.prepare<[string], Buffer>('SELECT payload FROM retained WHERE topic = ?').pluck(),
      allRetained: db.prepare<[], RetainedMessage>('SELECT topic, payload, updated_at_ms AS updatedAtMs FROM retained ORDER BY topic'),
      putStatus: db.prepare<[string, string, number]>(
        'INSERT INTO terminal_status (device_id, payload, at_ms) VALUES (?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET payload = excluded.payload, at_ms = excluded.at_ms',
      ),
      allStatus: db.prepare<[], { deviceId: string; payload: string; atMs: number }>('SELECT device_id AS deviceId, payload, at_ms AS atMs FROM terminal_status'),
    };
  }

  putRetained(topic: string, payload: Buffer, nowMs: number): void {
    guard('putRetained', () => this.s.putRetained.run(topic, payload, nowMs));
  }

  getRetained(topic: string): Buffer | null {
    return guard('getRetained', () => this.s.getRetained.get(topic) ?? null);
  }

  allRetained(): RetainedMessage[] {
    return guard('allRetained', () => this.s.allRetained.all());
  }

  putTerminalStatus(deviceId: string, payload: string, atMs: number): void {
    guard('putTerminalStatus', () => this.s.putStatus.run(deviceId, payload, atMs));
  }

  allTerminalStatus(): { deviceId: string; payload: string; atMs: number }[] {
    return guard('allTerminalStatus', () => this.s.allStatus.all());
  }
}
