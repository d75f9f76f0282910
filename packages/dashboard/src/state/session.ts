// The signed-in session, shared with every page through context. Its own module so pages and the
// app shell that routes them do not import each other.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Session } from '../api/types';

export const SessionContext = createContext<Session | null>(null);
export const useSession = () => useContext(SessionContext);
