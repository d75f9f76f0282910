// Opening a SQLite connection with the settings every connection of Vigil's uses.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export function openSqliteDatabase(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before we acknowledge it. Group commit pays for the fsync.
  db.pragma('synchronous = FULL');
  // The write thread and the event loop's connection take turns at the write lock.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}
