/**
 * Which kind the vault screen shows (or which of the vault's own views,
 * such as Members, in its place), and the menu's requests for a kind's
 * screen (New secret, Find) that main sends: the shell routes them to the
 * kind's screen, which carries them out when it is shown.
 */
import { useEffect, useRef } from 'react';
import { create } from 'zustand';
import { onReset } from '../lib/reset.js';

/** The kinds of object the vault screen holds (app/kinds.tsx lists their screens). */
export type KindId = 'secrets' | 'keys' | 'certificates';

/** Views of the vault that are not a kind of object (app/views.tsx lists their screens). */
export type ViewId = 'members' | 'history';

export type ShellRequestType = 'new' | 'find';

interface ShellState {
  /** The kind shown, or the last one shown while a view is. */
  kind: KindId;
  /** A view shown in place of the kind's screen, or null. */
  view: ViewId | null;
  /** A request not yet carried out (its screen clears it). */
  request: { kind: KindId; type: ShellRequestType } | null;
  go(kind: KindId): void;
  /** Shows a view of the vault (Members) instead of a kind. */
  show(view: ViewId): void;
  /** Shows `kind` and asks its screen to carry out `type`. */
  ask(kind: KindId, type: ShellRequestType): void;
}

export const useShell = create<ShellState>()((set) => ({
  kind: 'secrets',
  view: null,
  request: null,
  go(kind) {
    set({ kind, view: null });
  },
  show(view) {
    set({ view });
  },
  ask(kind, type) {
    set({ kind, view: null, request: { kind, type } });
  },
}));

onReset(() => useShell.setState({ kind: 'secrets', view: null, request: null }));

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
