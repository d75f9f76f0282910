// Reading vigil.yaml with positions kept, so every config error can name its line.
import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError } from './config-error.js';

export interface YamlSource {
  file: string;
  /** The parsed value (plain objects, arrays, scalars). */
  value: unknown;
  /** The 1-based line of the node at a dotted path (`alerting.rules.SuccessRateDrop.for`). */
  lineOf(path: (string | number)[]): number | undefined;
}

export function readYamlSource(file: string, text?: string): YamlSource {
  let content: string;
  try {
    content = text ?? readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, '(file)', `cannot be read: ${(e as Error).message}`);
  }
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(content, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line;
    throw new ConfigError(file, '(yaml)', first.message.split('\n')[0] ?? 'invalid YAML', line);
  }
  return {
    file,
    value: doc.toJS() as unknown,
    lineOf(path) {
      // Prefer the key's line (where a person looks), else the value's.
      let node: unknown = doc.contents;
      let line: number | undefined;
      for (const key of path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
          if (!pair) return line;
          const range = (pair.key as { range?: [number, number, number] }).range;
          if (range) line = lineCounter.linePos(range[0]).line;
          node = pair.value;
        } else if (node && typeof node === 'object' && 'items' in node && typeof key === 'number') {
          node = (node as { items: unknown[] }).items[key];
          const range = (node as { range?: [number, number, number] } | undefined)?.range;
          if (range) line = lineCounter.linePos(range[0]).line;
        } else {
          return line;
        }
      }
      return line;
    },
  };
}
