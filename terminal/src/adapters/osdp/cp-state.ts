/** What the control panel learns from replies (inputs, cards, tamper) and the events it raises. */
import type { OsdpReply, PdIdentity } from '../../protocol/osdp/index.js';
import type { TypedEvents } from './events.js';
import type { LinkPhase, PdLink } from './pd-link.js';

export type ControlPanelEvents = {
  online: { readonly address: number; readonly secure: boolean };
  offline: { readonly address: number; readonly reason: string };
  /** 7.7: an input changed (0 = the PD's first input). */
  input: { readonly address: number; readonly input: number; readonly active: boolean };
  /** 7.10: card data as read by the PD's reader. */
  card: { readonly address: number; readonly reader: number; readonly format: number; readonly bitCount: number; readonly data: Buffer };
  /** Annex D: the session failed (bad MAC, PD dropped it); the CP reconnects at once. */
  'secure-channel-lost': { readonly address: number; readonly reason: string };
  /** 7.6: tamper / power failure flags. */
  'local-status': { readonly address: number; readonly tamper: boolean; readonly power: boolean };
};

export interface LinkSnapshot {
  readonly address: number;
  readonly name: string;
  readonly phase: LinkPhase;
  readonly online: boolean;
  readonly secure: boolean;
  readonly inputs: readonly boolean[];
  readonly outputs: readonly boolean[];
  readonly sinceMonoMs: number;
  readonly lastError?: string;
  readonly identity?: PdIdentity;
}

export function snapshot(link: PdLink): LinkSnapshot {
  return {
    address: link.address,
    name: link.name,
    phase: link.phase,
    online: link.phase === 'online',
    secure: link.session !== undefined,
    inputs: [...link.inputs],
    outputs: [...link.outputs],
    sinceMonoMs: link.sinceMonoMs,
    ...(link.lastError === undefined ? {} : { lastError: link.lastError }),
    ...(link.identity === undefined ? {} : { identity: link.identity }),
  };
}

export function absorbReply(link: PdLink, reply: OsdpReply, events: TypedEvents<ControlPanelEvents>): void {
  switch (reply.kind) {
    case 'istatr': {
      const before = link.inputs;
      link.inputs = [...reply.inputs];
      reply.inputs.forEach((active, input) => {
        if (before[input] !== active) events.emit('input', { address: link.address, input, active });
      });
      return;
    }
    case 'ostatr':
      link.outputs = [...reply.outputs];
      return;
    case 'raw':
      events.emit('card', { address: link.address, reader: reply.reader, format: reply.format, bitCount: reply.bitCount, data: reply.data });
      return;
    case 'lstatr':
      events.emit('local-status', { address: link.address, tamper: reply.tamper, power: reply.power });
      return;
    default:
      return;
  }
}
