/**
 * Where a worker thread's compiled file is. A module that starts a worker (`new Worker(file)`)
 * runs from dist in production, where the worker's .js sits beside it. Tests run the sources
 * (vitest), where there is no .js: then the build of the same file is used, and it must not be
 * older than the sources it was built from (a stale build would test old code), which is refused
 * with a message to build (`npm test` builds first).
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RescardError } from './errors.js';

/**
 * @param moduleUrl `import.meta.url` of the module starting the worker
 * @param worker    the worker's path relative to it, as .js (e.g. './writer-worker.js')
 * @param sources   the sources the worker runs, relative to the module, as .ts (the worker's own first)
 */
export function builtWorkerFile(moduleUrl: string, worker: string, sources: readonly string[]): string {
  const here = fileURLToPath(new URL(worker, moduleUrl));
  if (existsSync(here)) return here;
  const toDist = (src: string): string => src.replace(/([/\\])src([/\\])(?!.*[/\\]src[/\\])/, '$1dist$2').replace(/\.ts$/, '.js');
  for (const source of sources) {
    const src = fileURLToPath(new URL(source, moduleUrl));
    const built = toDist(src);
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(src).mtimeMs) {
      throw new RescardError('CONFIG_INVALID', `the build of ${source} is missing or older than its source: run npm run build`, { file: built });
    }
  }
  return toDist(here);
}
