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
  for (const d of ['src/a', 'dist/a']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'src/a/start.ts'), '');
  writeFileSync(join(root, 'src/a/worker.ts'), '');
  writeFileSync(join(root, 'dist/a/start.js'), '');
  writeFileSync(join(root, 'dist/a/worker.js'), '');
  return root;
}

describe('builtWorkerFile', () => {
  it('from dist: the worker beside the module', () => {
    const root = pkg();
    expect(builtWorkerFile(pathToFileURL(join(root, 'dist/a/start.js')).href, './worker.js', ['./worker.ts'])).toBe(join(root, 'dist/a/worker.js'));
  });

  it('from the sources: the build of the same file when it is not older than its sources', () => {
    const root = pkg();
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'src/a/worker.ts'), old, old);
    expect(builtWorkerFile(pathToFileURL(join(root, 'src/a/start.ts')).href, './worker.js', ['./worker.ts'])).toBe(join(root, 'dist/a/worker.js'));
  });

  it('from the sources: a build older than a source, or none, is refused with CONFIG_INVALID', () => {
    const root = pkg();
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'dist/a/worker.js'), old, old);
    const start = pathToFileURL(join(root, 'src/a/start.ts')).href;
    expect(() => builtWorkerFile(start, './worker.js', ['./worker.ts'])).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    rmSync(join(root, 'dist/a/worker.js'));
    expect(() => builtWorkerFile(start, './worker.js', ['./worker.ts'])).toThrow(/npm run build/);
  });
});
