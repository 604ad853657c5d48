// Minimal typings for nfc-pcsc 0.8 (CommonJS, ships no types): only what rescard uses.
declare module 'nfc-pcsc' {
  import { EventEmitter } from 'node:events';

  export interface NfcLogger {
    log(...args: unknown[]): void;
    debug(...args: unknown[]): void;
    info(...args: unknown[]): void;
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
  }

  export interface NfcCard {
    atr?: Buffer;
    standard?: string;
    type?: string;
  }

  export class Reader extends EventEmitter {
    autoProcessing: boolean;
    readonly name: string;
    readonly reader: { name: string; close(): void };
    transmit(data: Buffer, responseMaxLength: number): Promise<Buffer>;
    close(): void;
    on(event: 'card' | 'card.off', listener: (card: NfcCard) => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: 'end', listener: () => void): this;
  }

  export class NFC extends EventEmitter {
    constructor(logger?: NfcLogger);
    readonly readers: Record<string, Reader>;
    close(): void;
    on(event: 'reader', listener: (reader: Reader) => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
  }
}
