import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CLI tests start the real binary, which compiles TypeScript on the fly.
    testTimeout: 30_000,
  },
});
