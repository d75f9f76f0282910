// Starts the demo fleet (examples/demo) for `vigil serve --demo` and `vigil demo`, and decides
// whether a server should run it. It imports nothing from examples/: the fleet runs in a child
// process. Why a child process rather than importing the agents into the server:
//  - the agents use @vigil/sdk, whose process-wide state (configuration, export queue,
//    AsyncLocalStorage, exit hooks) must not mix with the server's own process;
//  - the demo then reaches Vigil exactly as a user's agents do, over HTTP with an ingest key, so
//    it shows the real pipeline rather than a shortcut into the store;
//  - a busy or crashing demo cannot stall or take down the server, and the server package does
//    not depend on `openai` or `@openai/agents` (only examples/ does, as DESIGN's import table says).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Store } from '../../store/store.js';

/** The agents examples/demo runs; a store holding only these is "demo data". */
export const DEMO_AGENTS = ['customer_support_bot', 'billing_agent', 'code_reviewer', 'research_assistant', 'travel_planner'] as const;
/** The name of the ingest key `vigil serve --demo` makes for the fleet; an older one is revoked at start. */
export const DEMO_KEY_NAME = 'demo fleet (vigil serve --demo)';
/** How long the fleet gets to flush its last runs when stopped, before it is killed. */
export const DEMO_STOP_TIMEOUT_MS = 8_000;

/**
 * Alert windows for the demo, used only when the server runs the demo and vigil.yaml has no
 * `alerting:` section: with 5-minute windows (3 for ToolTimeoutChain) every incident of the
 * demo's schedule fires and resolves within about ten minutes. The defaults (15m, 10m) suit
 * production, where an alert that clears too fast is noise.
 */
export const DEMO_ALERTING = {
  rules: {
    SuccessRateDrop: { window: '5m' },
    LatencyP95Spike: { window: '5m' },
    ToolTimeoutChain: { window: '3m' },
    TokenBudgetOverrun: { window: '5m' },
    IterationLimitHit: { window: '5m' },
    AgentLooping: { window: '5m' },
  },
};

const REPO_ROOT = new URL('../../../../../', import.meta.url);

/** How to start the fleet: the compiled entry, else the TypeScript one through tsx; null when neither exists. */
export function demoEntry(): { args: string[]; where: string } | null {
  const built = fileURLToPath(new URL('examples/dist/demo/main.js', REPO_ROOT));
  if (existsSync(built)) return { args: [built], where: built };
  const source = fileURLToPath(new URL('examples/demo/main.ts', REPO_ROOT));
  if (!existsSync(source)) return null;
  try {
    createRequire(import.meta.url).resolve('tsx');
  } catch {
    return null;
  }
  return { args: ['--import', 'tsx', source], where: source };
}

/**
 * Whether `vigil serve --demo` starts the fleet: when the project has no runs yet, or only the
 * demo's own (a restart continues the demo). Never once real agents have sent data.
 */
export async function demoShouldRun(store: Store, projectId: number, now: number): Promise<boolean> {
  const agents = await store.listAgents(projectId);
  if (agents.some((a) => !(DEMO_AGENTS as readonly string[]).includes(a.agent_name))) return false;
  const page = await store.listRuns(projectId, { from: 0, to: now + 24 * 3600_000, limit: 1 });
  return page.runs.length === 0 || (DEMO_AGENTS as readonly string[]).includes(page.runs[0]!.agent_name);
}

/** A fresh ingest-only key for the fleet; keys left by earlier starts are revoked. */
export async function createDemoKey(store: Store, projectId: number): Promise<string> {
  for (const k of await store.listApiKeys(projectId)) {
    if (k.name === DEMO_KEY_NAME && k.revoked_at === null) await store.revokeApiKey(k.id);
  }
  return (await store.createApiKey({ projectId, name: DEMO_KEY_NAME, scopes: ['ingest'] })).key;
}

export interface DemoProcess {
  readonly child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Asks the fleet to stop (SIGTERM: it flushes its runs), kills it after DEMO_STOP_TIMEOUT_MS. */
  stop(): Promise<void>;
}

export function launchDemoFleet(opts: {
  endpoint: string;
  apiKey: string;
  history?: boolean;
  speed?: number;
  /** 'inherit' for `vigil demo`; otherwise each output line goes to `onLine`. */
  stdio?: 'inherit';
  onLine?: (line: string) => void;
}): DemoProcess {
  const entry = demoEntry();
  if (!entry) throw new Error('the demo fleet is not built (examples/dist/demo/main.js): run `npm run build`');
  const args = [...entry.args, ...(opts.history === false ? ['--no-history'] : []), ...(opts.speed ? ['--speed', String(opts.speed)] : [])];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, VIGIL_ENDPOINT: opts.endpoint, VIGIL_API_KEY: opts.apiKey, NODE_ENV: 'production' },
    // The IPC channel lets the fleet notice when this process goes away and stop with it.
    stdio: opts.stdio === 'inherit' ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  if (opts.stdio !== 'inherit') {
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) opts.onLine?.(line);
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stopping: Promise<void> | null = null;
  return {
    child,
    exited,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), DEMO_STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
