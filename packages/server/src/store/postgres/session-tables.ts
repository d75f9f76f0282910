// Dashboard sessions and sign-in links in PostgreSQL (Store contract: store.ts): every replica
// reads the same rows, so a dashboard behind a load balancer needs no sticky sessions.
import type pg from 'pg';
import type { DashboardSessionRow, Scope, Store } from '../store.js';

type SessionMethods = Pick<Store, 'putDashboardSession' | 'getDashboardSession' | 'deleteDashboardSession' |
  'deleteDashboardSessionsForKey' | 'putSignInLink' | 'takeSignInLink'>;
type Query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<pg.QueryResult<R>>;

interface Row { id_hash: string; project_id: number; key_id: string; key_hash: string | null; scopes: string; expires_at: string | number }

const COLS = 'id_hash, project_id, key_id, key_hash, scopes, expires_at';
const fromRow = (r: Row): DashboardSessionRow => ({
  ...r, scopes: r.scopes === '' ? [] : (r.scopes.split(',') as Scope[]), expires_at: Number(r.expires_at),
});
const params = (s: DashboardSessionRow) => [s.id_hash, s.project_id, s.key_id, s.key_hash, s.scopes.join(','), s.expires_at];

export function createPostgresSessionTables(query: Query): SessionMethods {
  const put = async (table: string, row: DashboardSessionRow, now: number) => {
    await query(`DELETE FROM ${table} WHERE expires_at <= $1`, [now]);
    await query(`INSERT INTO ${table} (${COLS}) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (id_hash) DO UPDATE SET project_id = excluded.project_id, key_id = excluded.key_id,
        key_hash = excluded.key_hash, scopes = excluded.scopes, expires_at = excluded.expires_at`, params(row));
  };
  return {
    putDashboardSession: (row, now) => put('dashboard_sessions', row, now),
    async getDashboardSession(idHash) {
      const row = (await query<Row>(`SELECT ${COLS} FROM dashboard_sessions WHERE id_hash = $1`, [idHash])).rows[0];
      return row ? fromRow(row) : null;
    },
    async deleteDashboardSession(idHash) {
      await query('DELETE FROM dashboard_sessions WHERE id_hash = $1', [idHash]);
    },
    async deleteDashboardSessionsForKey(keyId) {
      await query('DELETE FROM dashboard_sessions WHERE key_id = $1', [keyId]);
    },
    putSignInLink: (row, now) => put('dashboard_sign_in_links', row, now),
    async takeSignInLink(tokenHash) {
      const row = (await query<Row>(`DELETE FROM dashboard_sign_in_links WHERE id_hash = $1 RETURNING ${COLS}`, [tokenHash])).rows[0];
      return row ? fromRow(row) : null;
    },
  };
}
