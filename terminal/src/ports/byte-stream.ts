/**
 * ByteStream: a bidirectional serial line (RS-485 half duplex for OSDP, RS-232 for GPS) seen as
 * bytes. Adapters: SerialByteStream (serialport). FakeByteStream pairs connect two ends in memory
 * for tests; delivery is asynchronous (a microtask later) like a real line, never synchronous.
 */
export interface ByteStream {
  /** Resolves once the bytes are handed to the line (drained). */
  write(bytes: Uint8Array): Promise<void>;
  /** Every chunk as it arrives, in order, in chunks of any size. Returns an unsubscribe. */
  onData(listener: (chunk: Buffer) => void): () => void;
  close(): Promise<void>;
}

/** What a test may do to bytes in flight: pass, change, or drop (undefined). */
export type LineInterceptor = (chunk: Buffer) => Buffer | undefined;

export class FakeByteStream implements ByteStream {
  private readonly listeners = new Set<(chunk: Buffer) => void>();
  private peer: FakeByteStream | undefined;
  private interceptor: LineInterceptor | undefined;
  private closed = false;
  /** Every chunk this end wrote, for assertions. */
  readonly written: Buffer[] = [];

  /** Two ends of one in-memory line. */
  static pair(): [FakeByteStream, FakeByteStream] {
    const a = new FakeByteStream();
    const b = new FakeByteStream();
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  /** Tamper with, or drop, what this end writes (a faulty line, an attacker on the wire). */
  intercept(interceptor: LineInterceptor | undefined): void {
    this.interceptor = interceptor;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error('FakeByteStream: write after close'));
    const chunk = Buffer.from(bytes);
    this.written.push(chunk);
    const delivered = this.interceptor === undefined ? chunk : this.interceptor(chunk);
    const peer = this.peer;
    if (delivered !== undefined && peer !== undefined) queueMicrotask(() => peer.deliver(delivered));
    return Promise.resolve();
  }

  /** Bytes arriving from the line (also usable directly to inject noise). */
  deliver(chunk: Buffer): void {
    if (this.closed) return;
    for (const listener of this.listeners) listener(chunk);
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    return Promise.resolve();
  }
}
