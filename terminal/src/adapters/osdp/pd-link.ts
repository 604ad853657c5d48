/** The control panel's state for one PD: sequence numbers (5.9), session, online state, last status. */
import type { Capability, KeyChoice, PdIdentity, SecureSession } from '../../protocol/osdp/index.js';
import { CAP_FUNCTION, OsdpError, resolveScbk } from '../../protocol/osdp/index.js';
import type { PdOptions } from './cp-options.js';

export type LinkPhase = 'offline' | 'connecting' | 'online';

export class PdLink {
  readonly address: number;
  readonly name: string;
  readonly secure: boolean;
  keyChoice: KeyChoice;
  phase: LinkPhase = 'offline';
  /** 'offline' was announced and 'online' not since (each is announced once per change). */
  announcedOffline = false;
  everOnline = false;
  /** Connection attempts failed in a row (not for silence: that is 'missed'). */
  failedConnects = 0;
  session: SecureSession | undefined;
  missed = 0;
  inputs: boolean[] = [];
  outputs: boolean[] = [];
  identity: PdIdentity | undefined;
  capabilities: readonly Capability[] = [];
  nextConnectAtMs = 0;
  nextPollAtMs = 0;
  sinceMonoMs = 0;
  lastError: string | undefined;
  private sqn = -1;

  constructor(options: PdOptions) {
    this.address = options.address;
    this.name = options.name ?? `pd-${options.address}`;
    this.secure = options.secure ?? true;
    this.keyChoice = options;
  }

  /**
   * 5.9: the CP starts (and restarts) a conversation with sequence number 0, then counts 1, 2, 3,
   * 1, ... A retry resends the same number; 0 tells the PD to reset, dropping any session.
   */
  nextSqn(): number {
    this.sqn = this.sqn < 0 ? 0 : this.sqn >= 3 ? 1 : this.sqn + 1;
    return this.sqn;
  }

  /** The conversation was restarted (sequence 0 next): the PD must be connected again. */
  get isFresh(): boolean {
    return this.sqn < 0;
  }

  /** Forget the conversation: next packet goes with sequence 0, no session. */
  restart(): void {
    this.sqn = -1;
    this.session = undefined;
  }

  capability(fn: number): Capability | undefined {
    return this.capabilities.find((c) => c.function === fn);
  }

  get supportsSecureChannel(): boolean {
    return (this.capability(CAP_FUNCTION.COMMUNICATION_SECURITY)?.compliance ?? 0) & 0x01 ? true : false;
  }

  get inputCount(): number {
    return this.capability(CAP_FUNCTION.CONTACT_STATUS)?.count ?? 0;
  }
}

/** One link per configured PD; refuses duplicate or out-of-range addresses and bad key settings now, not at 3 a.m. */
export function createLinks(pds: readonly PdOptions[]): PdLink[] {
  const seen = new Set<number>();
  return pds.map((pd) => {
    if (!Number.isInteger(pd.address) || pd.address < 0 || pd.address > 0x7e || seen.has(pd.address)) {
      throw new OsdpError('OSDP_MESSAGE_INVALID', 'PD addresses must be distinct integers 0x00-0x7E (5.9)', { address: pd.address });
    }
    seen.add(pd.address);
    const link = new PdLink(pd);
    if (link.secure) resolveScbk(link.keyChoice); // a missing key, or install mode without allowInstallMode
    return link;
  });
}
