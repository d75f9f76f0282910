// A real local HTTP receiver for exporter tests: it records every request (gunzipping bodies) and
// answers as scripted — success, 4xx, 429 with Retry-After, 5xx, a hang — or forwards to a target.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export type Answer =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { hang: true }
  /** Drops the connection without an answer, as a server that is going down does. */
  | { reset: true }
  | { forward: string };

export interface Receiver {
  url: string;
  port: number;
  requests: Received[];
  /** Run ids of every /v1/runs request that got a 2xx. */
  acceptedRunIds: string[];
  answer(fn: (req: Received) => Answer): void;
  close(): Promise<void>;
}

export async function startReceiver(port = 0, answer: (req: Received) => Answer = () => ({ status: 200, body: { accepted: 1 } })): Promise<Receiver> {
  let answerFn = answer;
  const requests: Received[] = [];
  const acceptedRunIds: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks);
        const decoded = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        let body: unknown = decoded.toString('utf8');
        try {
          body = JSON.parse(body as string);
        } catch {
          // keep the text
        }
        const received: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
        requests.push(received);
        const a = answerFn(received);
        if ('hang' in a) return;
        if ('reset' in a) return void req.socket.destroy();
        let status: number;
        let out: string;
        let headers: Record<string, string> = { 'content-type': 'application/json' };
        if ('forward' in a) {
          const fwd = await fetch(a.forward + received.url, { method: received.method, headers: req.headers as Record<string, string>, body: raw });
          status = fwd.status;
          out = await fwd.text();
          const ra = fwd.headers.get('retry-after');
          if (ra) headers['retry-after'] = ra;
        } else {
          status = a.status;
          out = JSON.stringify(a.body ?? {});
          headers = { ...headers, ...a.headers };
        }
        if (status < 300 && received.url === '/v1/runs') {
          for (const r of (body as { runs: Array<{ run_id: string }> }).runs) acceptedRunIds.push(r.run_id);
        }
        res.writeHead(status, headers);
        res.end(out);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    requests,
    acceptedRunIds,
    answer: (fn) => void (answerFn = fn),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A port that was free a moment ago and has nothing listening on it now. Another process may
 * take it meanwhile; tests that must keep a dead server for long use a receiver answering
 * `{ reset: true }` instead.
 */
export async function deadPort(): Promise<number> {
  const r = await startReceiver();
  await r.close();
  return r.port;
}
