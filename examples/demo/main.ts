// Runs the demo fleet against a Vigil server until stopped: `vigil demo` and `vigil serve --demo`
// start this file in a child process. Configuration comes from the environment, as for any
// SDK user (VIGIL_ENDPOINT, VIGIL_API_KEY with the ingest scope), plus two flags:
//   --no-history   skip writing the last 24 hours of healthy history first
//   --speed N      multiply the traffic (default 1)
import { parseArgs } from 'node:util';
import { startDemoFleet } from './fleet.js';

const { values } = parseArgs({ options: { 'no-history': { type: 'boolean' }, speed: { type: 'string' } }, strict: true });
const endpoint = process.env.VIGIL_ENDPOINT ?? 'http://127.0.0.1:4318';
const apiKey = process.env.VIGIL_API_KEY;
if (!apiKey) {
  console.error('demo: set VIGIL_API_KEY to a key with the ingest scope (vigil keys create --scopes ingest)');
  process.exit(2);
}
const speed = values.speed === undefined ? 1 : Number(values.speed);
if (!Number.isFinite(speed) || speed <= 0) {
  console.error(`demo: --speed must be a positive number, not '${values.speed}'`);
  process.exit(2);
}

const fleet = await startDemoFleet({ endpoint, apiKey, history: !values['no-history'], speed });
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  fleet.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error('demo: stopping failed:', err);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Started by a server with an IPC channel: when the server goes away, so does the demo.
process.on('disconnect', stop);
