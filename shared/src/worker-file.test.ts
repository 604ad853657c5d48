import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { builtWorkerFile } from './worker-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function pkg(): string {
  const root = mkdtempSync(join(tmpdir(), 'rescard-wf-'));
  dirs.push(root);
  // a package inside a folder named src, with a src folder inside its src: the mapping is by package
  const pkgDir = join(root, 'src', 'pkg');
  for (const d of ['src/a/src', 'dist/a/src']) mkdirSync(join(pkgDir, d), { recursive: true });
  writeFileSync(join(pkgDir, 'package.json'), '{}');
  writeFileSync(join(pkgDir, 'src/a/start.ts'), '');
  writeFileSync(join(pkgDir, 'src/a/worker.ts'), '');
  writeFileSync(join(pkgDir, 'src/a/src/dep.ts'), '');
  for (const f of ['dist/a/start.js', 'dist/a/worker.js', 'dist/a/src/dep.js', 'dist/.tsbuildinfo']) writeFileSync(join(pkgDir, f), '');
  return pkgDir;
}

describe('builtWorkerFile', () => {
  it('from dist: the worker beside the module', () => {
    const root = pkg();
    expect(builtWorkerFile(pathToFileURL(join(root, 'dist/a/start.js')).href, './worker.js', ['./worker.ts'])).toBe(join(root, 'dist/a/worker.js'));
  });

  it('from the sources: the build of the same file when the build is not older than its sources', () => {
    const root = pkg();
    const old = new Date(Date.now() - 60_000);
    for (const f of ['src/a/worker.ts', 'src/a/src/dep.ts']) utimesSync(join(root, f), old, old);
    utimesSync(join(root, 'dist/a/worker.js'), new Date(Date.now() - 120_000), new Date(Date.now() - 120_000)); // not re-emitted: same content
    expect(builtWorkerFile(pathToFileURL(join(root, 'src/a/start.ts')).href, './worker.js', ['./worker.ts', './src/dep.ts'])).toBe(join(root, 'dist/a/worker.js'));
  });

  it('from the sources: a build older than a source, or none, is refused with CONFIG_INVALID', () => {
    const root = pkg();
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'dist/.tsbuildinfo'), old, old); // sources changed since the last build
    const start = pathToFileURL(join(root, 'src/a/start.ts')).href;
    expect(() => builtWorkerFile(start, './worker.js', ['./worker.ts'])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    utimesSync(join(root, 'dist/.tsbuildinfo'), new Date(), new Date());
    rmSync(join(root, 'dist/a/src/dep.js'));
    expect(() => builtWorkerFile(start, './worker.js', ['./worker.ts', './src/dep.ts'])).toThrow(/npm run build/);
  });
});
