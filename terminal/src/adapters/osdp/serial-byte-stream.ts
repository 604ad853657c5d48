/**
 * ByteStream over the `serialport` package (RS-485 adapters, or a pseudo-terminal in tests and the
 * demo). Library errors are translated here into OSDP_PORT_FAILURE; nothing above this file sees a
 * serialport type. OSDP lines run 8N1 (5.2); 9600 baud is the common factory setting.
 */
import type { Logger } from 'pino';
import { SerialPort } from 'serialport';
import { OsdpError } from '../../protocol/osdp/index.js';
import type { ByteStream } from '../../ports/byte-stream.js';

export interface SerialByteStreamOptions {
  readonly path: string;
  readonly baudRate?: number;
}

export class SerialByteStream implements ByteStream {
  private constructor(
    private readonly port: SerialPort,
    private readonly log: Logger | undefined,
  ) {
    port.on('error', (err: Error) => this.log?.error({ err, path: port.path }, 'serial port error'));
  }

  static open(options: SerialByteStreamOptions, log?: Logger): Promise<SerialByteStream> {
    const port = new SerialPort({ path: options.path, baudRate: options.baudRate ?? 9600, dataBits: 8, stopBits: 1, parity: 'none', autoOpen: false });
    return new Promise((resolve, reject) => {
      port.open((err) => {
        if (err !== null) reject(new OsdpError('OSDP_PORT_FAILURE', `cannot open serial port ${options.path}: ${err.message}`, { path: options.path }, { cause: err }));
        else resolve(new SerialByteStream(port, log));
      });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      const fail = (err: Error): void => reject(new OsdpError('OSDP_PORT_FAILURE', `serial write failed: ${err.message}`, { path: this.port.path }, { cause: err }));
      this.port.write(Buffer.from(bytes), (err) => {
        if (err !== null && err !== undefined) return fail(err);
        // Resolve once the bytes are on the line (tcdrain): the reply timeout starts there (5.7).
        this.port.drain((drainErr) => (drainErr !== null ? fail(drainErr) : resolve()));
      });
    });
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    this.port.on('data', listener);
    return () => this.port.off('data', listener);
  }

  close(): Promise<void> {
    if (!this.port.isOpen) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.port.close((err) => (err !== null && err !== undefined ? reject(new OsdpError('OSDP_PORT_FAILURE', `serial close failed: ${err.message}`, {}, { cause: err })) : resolve()));
    });
  }
}
