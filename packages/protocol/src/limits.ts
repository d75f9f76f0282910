// Size limits of the wire format. They bound what one request can make the server hold, and
// every limit is reported by path when exceeded, so a client knows which field to shorten.
export const MAX_ID_LENGTH = 256;
export const MAX_NAME_LENGTH = 256;
export const MAX_TEXT_LENGTH = 8_192;
export const MAX_TOOL_CALLS_PER_RUN = 1_000;
export const MAX_STEPS_PER_RUN = 1_000;
export const MAX_TRANSITIONS_PER_RUN = 2_000;
export const MAX_TAGS_PER_RUN = 64;
export const MAX_RUNS_PER_BATCH = 10_000;
export const MAX_TOOLS_PER_AGENT = 500;
/** Upper bound for any count or token number: large enough for any real run, small enough to be exact in a double. */
export const MAX_COUNT = 1e12;
/** 100 years in milliseconds: no run lasts longer, and it keeps sums exact. */
export const MAX_DURATION_MS = 3.2e12;
export const MAX_COST_USD = 1e9;
/** Epoch-millisecond times must fall between 2000-01-01 and 2200-01-01. */
export const MIN_EPOCH_MS = 946_684_800_000;
export const MAX_EPOCH_MS = 7_258_118_400_000;
/** Objects and arrays nested deeper than this are refused: no real run nests past a handful of levels. */
export const MAX_JSON_DEPTH = 64;
