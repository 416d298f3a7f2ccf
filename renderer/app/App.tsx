/** The shell: picks the screen from the session store (start / unlock / vault). */
import { useEffect } from 'react';
import { StartScreen } from '../features/vault/StartScreen.js';
import { UnlockScreen } from '../features/vault/UnlockScreen.js';
import { useSession } from '../features/vault/store.js';
import { subscribeMainEvents } from '../lib/api.js';
import { ClockContext, realClock, type Clock } from '../lib/clock.js';
import { L } from './labels.js';
import { VaultShell } from './VaultShell.js';

export function App({ clock = realClock }: { clock?: Clock }) {
  const screen = useSession((s) => s.screen);
  const init = useSession((s) => s.init);
  useEffect(() => {
    void init();
  }, [init]);
  // Main may lock on its own (the menu's Lock, quitting): the page then clears itself.
  useEffect(
    () =>
      subscribeMainEvents((e) => {
        if (e.type === 'locked' && useSession.getState().screen === 'vault') void useSession.getState().lockedByMain();
      }),
    [],
  );
  return (
    <ClockContext.Provider value={clock}>
      {screen === 'loading' ? (
        <main className="start">
          <h1>{L.appTitle}</h1>
          <p role="status">{L.loading}</p>
        </main>
      ) : screen === 'start' ? (
        <StartScreen />
      ) : screen === 'unlock' ? (
        <UnlockScreen />
      ) : (
        <VaultShell />
      )}
    </ClockContext.Provider>
  );
}
