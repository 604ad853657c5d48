import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string): string => fileURLToPath(new URL(`./${pkg}/src/index.ts`, import.meta.url));

const alias = {
  '@rescard/shared': src('shared'),
  '@rescard/terminal': src('terminal'),
  '@rescard/hardware-sim': src('hardware-sim'),
};

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
