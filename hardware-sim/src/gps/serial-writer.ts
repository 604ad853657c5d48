/** The simulated receiver's side of the serial line (a pty from socat, or a real port). */
import { SerialPort } from 'serialport';

export interface SerialWriter {
  write(bytes: Buffer): Promise<void>;
  close(): Promise<void>;
}

export async function openSerialWriter(path: string, baudRate = 9600): Promise<SerialWriter> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((err) => (err ? reject(new Error(`serial port ${path}: ${err.message}`, { cause: err })) : resolve()));
  });
  return {
    write: (bytes) =>
      new Promise((resolve, reject) => {
        port.write(bytes, (err) => {
          if (err) reject(err);
          else port.drain((e) => (e ? reject(e) : resolve()));
        });
      }),
    close: () => new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
}
