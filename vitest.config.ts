import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string): string => fileURLToPath(new URL(`./${path}`, import.meta.url));

// Workspace packages resolve to their sources in tests (exact names only).
const alias = [
  { find: /^@rescard\/shared$/, replacement: src('shared/src/index.ts') },
  { find: /^@rescard\/shared\/(sqlite|mqtt-client|hub)$/, replacement: src('shared/src/$1/index.ts') },
  { find: /^@rescard\/terminal$/, replacement: src('terminal/src/index.ts') },
  { find: /^@rescard\/terminal\/testing$/, replacement: src('terminal/src/testing/index.ts') },
  { find: /^@rescard\/hardware-sim$/, replacement: src('hardware-sim/src/index.ts') },
];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['*/src/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
        },
      },
      {
        // Integration tests with real processes and the one shared PC/SC stack: one file at a time.
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['*/test/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
