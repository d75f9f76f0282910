// The error codes the server can answer with and the table in docs/api.md must be the same list.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/web/errors.js';

const doc = readFileSync(new URL('../../../../docs/api.md', import.meta.url), 'utf8');
const documented = new Map(
  [...doc.matchAll(/^\| `([A-Z_0-9]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]),
);

describe('error codes', () => {
  it('documents every code the server uses, with its status', () => {
    for (const [code, { status }] of Object.entries(ERRORS)) {
      expect(documented.get(code), `docs/api.md lacks ${code}`).toBe(status);
    }
  });

  it('uses every code the docs list', () => {
    for (const code of documented.keys()) {
      expect(Object.keys(ERRORS), `docs/api.md lists ${code}, which the server does not have`).toContain(code);
    }
  });
});
