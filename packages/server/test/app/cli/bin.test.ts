// `npx vigil …` from a clone: npm links the committed bin shim at `npm ci` time (before any
// build), and the shim runs the built CLI. npm test builds before it runs the tests.
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const LINK = `${ROOT}node_modules/.bin/vigil`;

describe('the vigil command', () => {
  it('is linked by npm to the committed shim, which exists before any build', () => {
    expect(realpathSync(LINK)).toBe(fileURLToPath(new URL('../../../bin/vigil.js', import.meta.url)));
  });

  it('runs the documented commands through npx', () => {
    const help = execFileSync('npx', ['--no-install', 'vigil', '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(help).toMatch(/vigil serve/);
    expect(help).toMatch(/vigil keys/);
  });
});
