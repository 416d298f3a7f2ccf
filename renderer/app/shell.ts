/**
 * Which kind the vault screen shows, and the menu's requests for a kind's
 * screen (New secret, Find) that main sends: the shell routes them to the
 * kind's screen, which carries them out when it is shown.
 */
import { useEffect, useRef } from 'react';
import { create } from 'zustand';
import { onReset } from '../lib/reset.js';

/** The kinds of object the vault screen holds (app/kinds.tsx lists their screens). */
export type KindId = 'secrets' | 'keys' | 'certificates';

export type ShellRequestType = 'new' | 'find';

interface ShellState {
  kind: KindId;
  /** A request not yet carried out (its screen clears it). */
  request: { kind: KindId; type: ShellRequestType } | null;
  go(kind: KindId): void;
  /** Shows `kind` and asks its screen to carry out `type`. */
  ask(kind: KindId, type: ShellRequestType): void;
}

export const useShell = create<ShellState>()((set) => ({
  kind: 'secrets',
  request: null,
  go(kind) {
    set({ kind });
  },
  ask(kind, type) {
    set({ kind, request: { kind, type } });
  },
}));

onReset(() => useShell.setState({ kind: 'secrets', request: null }));

/** Runs `handle` in the kind's screen for each request to it, including one made just before the screen was shown. */
export function useShellRequest(kind: KindId, handle: (type: ShellRequestType) => void): void {
  const request = useShell((s) => s.request);
  const handleRef = useRef(handle);
  useEffect(() => {
    handleRef.current = handle;
  });
  useEffect(() => {
    if (request && request.kind === kind) {
      useShell.setState({ request: null });
      handleRef.current(request.type);
    }
  }, [request, kind]);
}
