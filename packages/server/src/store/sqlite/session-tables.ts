// Dashboard sessions and sign-in links in SQLite (Store contract: store.ts). Written on the event
// loop's connection, in IMMEDIATE transactions like its other writes.
import type Database from 'better-sqlite3';
import type { DashboardSessionRow, Scope, Store } from '../store.js';

type SessionMethods = Pick<Store, 'putDashboardSession' | 'getDashboardSession' | 'deleteDashboardSession' |
  'deleteDashboardSessionsForKey' | 'putSignInLink' | 'takeSignInLink'>;

interface Row { id_hash: string; project_id: number; key_id: string; key_hash: string | null; scopes: string; expires_at: number }

const fromRow = (r: Row): DashboardSessionRow => ({ ...r, scopes: r.scopes === '' ? [] : (r.scopes.split(',') as Scope[]) });
const params = (s: DashboardSessionRow) => [s.id_hash, s.project_id, s.key_id, s.key_hash, s.scopes.join(','), s.expires_at];

export function createSqliteSessionTables(db: Database.Database): SessionMethods {
  // Prepared lazily: the tables exist only after migrate().
  let s: ReturnType<typeof prepare> | null = null;
  function prepare() {
    const cols = 'id_hash, project_id, key_id, key_hash, scopes, expires_at';
    return {
      putSession: db.prepare(`INSERT OR REPLACE INTO dashboard_sessions (${cols}) VALUES (?, ?, ?, ?, ?, ?)`),
      expireSessions: db.prepare('DELETE FROM dashboard_sessions WHERE expires_at <= ?'),
      getSession: db.prepare<[string], Row>(`SELECT ${cols} FROM dashboard_sessions WHERE id_hash = ?`),
      deleteSession: db.prepare('DELETE FROM dashboard_sessions WHERE id_hash = ?'),
      deleteForKey: db.prepare('DELETE FROM dashboard_sessions WHERE key_id = ?'),
      putLink: db.prepare(`INSERT OR REPLACE INTO dashboard_sign_in_links (${cols}) VALUES (?, ?, ?, ?, ?, ?)`),
      expireLinks: db.prepare('DELETE FROM dashboard_sign_in_links WHERE expires_at <= ?'),
      takeLink: db.prepare<[string], Row>(`DELETE FROM dashboard_sign_in_links WHERE id_hash = ? RETURNING ${cols}`),
    };
  }
  const st = () => (s ??= prepare());
  const putSession = db.transaction((row: DashboardSessionRow, now: number) => {
    st().expireSessions.run(now);
    st().putSession.run(...params(row));
  });
  const putLink = db.transaction((row: DashboardSessionRow, now: number) => {
    st().expireLinks.run(now);
    st().putLink.run(...params(row));
  });

  return {
    async putDashboardSession(row, now) {
      putSession.immediate(row, now);
    },
    async getDashboardSession(idHash) {
      const row = st().getSession.get(idHash);
      return row ? fromRow(row) : null;
    },
    async deleteDashboardSession(idHash) {
      st().deleteSession.run(idHash);
    },
    async deleteDashboardSessionsForKey(keyId) {
      st().deleteForKey.run(keyId);
    },
    async putSignInLink(row, now) {
      putLink.immediate(row, now);
    },
    async takeSignInLink(tokenHash) {
      const row = st().takeLink.get(tokenHash);
      return row ? fromRow(row) : null;
    },
  };
}
