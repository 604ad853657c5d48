/**
 * Rejected messages, counted by kind and reason: the decode reasons of the shared codec
 * (RejectCounter: too-large, json, version, schema) plus the server's own checks (the payload's
 * id does not match its topic; the broker's ACL refused a publish or a subscription; a device
 * was refused at connect: no or wrong certificate, unknown, revoked, expired).
 */
import { RejectCounter, type RejectReason } from '@rescard/shared';
import type { Logger } from 'pino';
import type { ConnectRefusal } from '../adapters/mqtt/access-hooks.js';
import type { AclRefusal } from '../core/topic-acl.js';

export type ServerRejectReason = RejectReason | AclRefusal | ConnectRefusal | 'id-mismatch' | 'bad-client-id';

export class Rejects {
  private readonly decode = new RejectCounter();
  private readonly other = new Map<string, number>();

  constructor(private readonly log: Logger) {}

  add(kind: string, reason: ServerRejectReason, fields: Record<string, unknown>): void {
    if (reason === 'too-large' || reason === 'json' || reason === 'version' || reason === 'schema') this.decode.add(kind, reason);
    else this.other.set(`${kind}:${reason}`, (this.other.get(`${kind}:${reason}`) ?? 0) + 1);
    this.log.warn({ kind, reason, ...fields }, 'message rejected');
  }

  snapshot(): Record<string, number> {
    return { ...this.decode.snapshot(), ...Object.fromEntries(this.other) };
  }

  total(): number {
    return Object.values(this.snapshot()).reduce((a, b) => a + b, 0);
  }
}
