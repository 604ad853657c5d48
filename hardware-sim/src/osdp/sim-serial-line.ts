/** The simulated PD's end of the serial line (a pty from socat, or a real RS-485 adapter). */
import { SerialPort } from 'serialport';
import type { SimLine } from './sim-ports.js';

export interface SimSerialLine extends SimLine {
  close(): Promise<void>;
}

export async function openSimSerialLine(path: string, baudRate = 9600): Promise<SimSerialLine> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((err) => (err ? reject(new Error(`cannot open ${path}: ${err.message}`, { cause: err })) : resolve()));
  });
  return {
    write: (bytes) =>
      new Promise((resolve, reject) => {
        port.write(Buffer.from(bytes), (err) => {
          if (err) reject(err);
          else port.drain((e) => (e ? reject(e) : resolve()));
        });
      }),
    onData: (listener) => {
      port.on('data', listener);
      return () => void port.off('data', listener);
    },
    close: () => new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
}
