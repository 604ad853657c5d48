/**
 * Write a small file atomically with its final mode from the start: a temporary name (exclusive
 * per process), fsync, rename. A crash leaves the old file or the new one, never a torn one.
 */
import { open, rename } from 'node:fs/promises';

export async function writeFileAtomic(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.chmod(mode); // the umask may have narrowed it, and 0600 must not widen
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}
