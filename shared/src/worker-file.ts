/**
 * Where a worker thread's compiled file is. A module that starts a worker (`new Worker(file)`)
 * runs from dist in production, where the worker's .js sits beside it. Tests run the sources
 * (vitest), where there is no .js: then the build of the same file is used, and it must not be
 * older than the sources it was built from (a stale build would test old code), which is refused
 * with a message to build (`npm test` builds first).
 *
 * Layout (each workspace package): <package>/src/**.ts -> <package>/dist/**.js, and the build's
 * time is that of <package>/dist/.tsbuildinfo (tsc -b rewrites it on every build that looked at
 * a changed source, even when it re-emits no .js because the content did not change).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RescardError } from './errors.js';

/** The package folder of `file` (nearest folder above it with a package.json). */
function packageRoot(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new RescardError('CONFIG_INVALID', `no package.json above ${file}`, { file });
  }
}

/** <package>/src/x/y.ts -> <package>/dist/x/y.js, and the build's time. */
function builtOf(src: string): { readonly js: string; readonly builtAtMs: number } {
  const root = packageRoot(src);
  const inSrc = relative(join(root, 'src'), src);
  if (inSrc.startsWith('..')) throw new RescardError('CONFIG_INVALID', `${src} is not under its package's src folder`, { file: src });
  const info = join(root, 'dist', '.tsbuildinfo');
  return { js: join(root, 'dist', inSrc.replace(/\.ts$/, '.js')), builtAtMs: existsSync(info) ? statSync(info).mtimeMs : -1 };
}

/**
 * @param moduleUrl `import.meta.url` of the module starting the worker
 * @param worker    the worker's path relative to it, as .js (e.g. './writer-worker.js')
 * @param sources   the sources the worker runs, relative to the module, as .ts (the worker's own first)
 */
export function builtWorkerFile(moduleUrl: string, worker: string, sources: readonly string[]): string {
  const here = fileURLToPath(new URL(worker, moduleUrl));
  if (existsSync(here)) return here;
  for (const source of sources) {
    const src = fileURLToPath(new URL(source, moduleUrl));
    const { js, builtAtMs } = builtOf(src);
    if (!existsSync(js) || builtAtMs < statSync(src).mtimeMs) {
      throw new RescardError('CONFIG_INVALID', `the build of ${source} is missing or older than its source: run npm run build`, { file: js });
    }
  }
  return builtOf(here.replace(/\.js$/, '.ts')).js;
}
