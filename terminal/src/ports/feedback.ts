/**
 * Feedback: what the passenger or student sees and hears. Called only after the tap is durable
 * in the journal. Adapters: console (simulator, demo); OSDP LED/buzzer/text/turnstile later.
 */
import type { Message } from '../core/decision.js';
import type { Direction, Outcome } from '../core/model.js';

export interface TapFeedback {
  readonly outcome: Outcome;
  readonly reason: string;
  readonly message: Message;
  readonly direction?: Direction;
  /** The device runs in restricted mode (a list is stale): shown as a status mark. */
  readonly restricted: boolean;
  readonly seq: number;
  readonly panMasked: string;
  readonly readerName: string;
  /** bus: the stop matched by GPS, or why there is none. */
  readonly stop?: { readonly stopId: string | null; readonly flag: 'OK' | 'NO_FIX' | 'STALE' };
}

/** No tap was recorded: the card could not be read, or the journal is full. */
export interface FaultFeedback {
  readonly kind: 'READ_FAILED' | 'OUT_OF_SERVICE';
  readonly code: string;
  readonly message: Message;
  readonly readerName: string;
}

/** gate: what the turnstile's passage sensor said after a release. */
export interface PassageFeedback {
  readonly passed: boolean;
  readonly seq: number;
  readonly direction?: Direction;
  readonly readerName: string;
}

export interface DeviceStatus {
  readonly restricted: boolean;
  readonly staleLists: readonly string[];
  readonly clockFault: boolean;
  readonly journalAlarm: boolean;
  /** A peripheral (turnstile, indicator) is offline: decisions are still recorded. */
  readonly peripheralsOffline: boolean;
}

export interface Feedback {
  tap(feedback: TapFeedback): Promise<void>;
  fault(feedback: FaultFeedback): Promise<void>;
  passage(feedback: PassageFeedback): Promise<void>;
  /** The device's state changed (restricted mode on/off, clock fault, journal alarm). */
  status(status: DeviceStatus): Promise<void>;
}

/** Records everything shown, for tests. */
export class FakeFeedback implements Feedback {
  readonly taps: TapFeedback[] = [];
  readonly faults: FaultFeedback[] = [];
  readonly passages: PassageFeedback[] = [];
  readonly statuses: DeviceStatus[] = [];

  tap(feedback: TapFeedback): Promise<void> {
    this.taps.push(feedback);
    return Promise.resolve();
  }

  fault(feedback: FaultFeedback): Promise<void> {
    this.faults.push(feedback);
    return Promise.resolve();
  }

  passage(feedback: PassageFeedback): Promise<void> {
    this.passages.push(feedback);
    return Promise.resolve();
  }

  status(status: DeviceStatus): Promise<void> {
    this.statuses.push(status);
    return Promise.resolve();
  }
}

export const READ_FAILED_MESSAGE: Message = { ru: 'Повторите, приложите карту ещё раз', en: 'Please tap your card again' };
export const OUT_OF_SERVICE_MESSAGE: Message = { ru: 'Валидатор не работает', en: 'Out of service' };
