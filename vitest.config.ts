import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url));
const brokers = ['redis', 'rabbitmq', 'postgres', 'nats'];

export default defineConfig({
  resolve: {
    alias: [
      { find: /^troopy$/, replacement: source('index.ts') },
      ...brokers.map((broker) => ({ find: new RegExp(`^troopy/${broker}$`), replacement: source(`brokers/${broker}/index.ts`) })),
      { find: /^troopy\/(.*)$/, replacement: source('$1/index.ts') },
    ],
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 20_000,
  },
});
