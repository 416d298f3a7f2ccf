/** The frame of a kind's screen: its title and actions (New…), and the page's messages (an error, a status). */
import type { ReactNode } from 'react';
import { ErrorAlert } from '../Dialog.js';

export function KindScreen({ title, actions, error, status, children }: { title: string; actions: ReactNode; error: string | null; status: string | null; children: ReactNode }) {
  return (
    <div className="kind-screen">
      <div className="kind-head">
        <h2>{title}</h2>
        <div className="actions">{actions}</div>
      </div>
      <ErrorAlert message={error} />
      <p role="status" className="status">
        {status ?? ''}
      </p>
      {children}
    </div>
  );
}
