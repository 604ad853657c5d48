/**
 * Where the package's own EMV transcripts live (hardware-sim/fixtures/emv). Resolved from this
 * module's location, so it works from src/ (vitest) and from dist/ (built) alike.
 */
import { fileURLToPath } from 'node:url';

export const EMV_FIXTURES_DIR: string = fileURLToPath(new URL('../fixtures/emv/', import.meta.url));

/** Absolute path of a transcript in fixtures/emv, e.g. emvFixturePath('mir-synthetic.apdu'). */
export function emvFixturePath(fileName: string): string {
  if (fileName.includes('/') || fileName.includes('\\')) throw new Error(`fixture name must be a plain file name: ${fileName}`);
  return fileURLToPath(new URL(`../fixtures/emv/${fileName}`, import.meta.url));
}
