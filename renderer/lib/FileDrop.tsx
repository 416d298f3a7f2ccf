/**
 * A file chosen by drag-and-drop or the file picker, read as bytes in the
 * page (the sandboxed renderer has no file system; the bytes go to main
 * base64url). The picker is a labelled <input type="file">, so the keyboard
 * and screen readers reach it as any field; the drop zone around it is extra.
 */
import { useId, useState, type DragEvent } from 'react';
import { L } from '../app/labels.js';

export interface ChosenFile {
  name: string;
  bytes: Uint8Array;
}

export function FileDrop({ label, hint, accept, maxBytes, tooLarge, onFile, onError, chosen }: {
  label: string;
  hint: string;
  accept: string;
  maxBytes: number;
  /** The message when a file is larger than maxBytes. */
  tooLarge: string;
  onFile: (file: ChosenFile) => void;
  onError: (message: string) => void;
  chosen: ChosenFile | null;
}) {
  const id = useId();
  const [dragging, setDragging] = useState(false);

  const read = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > maxBytes) return onError(tooLarge);
    try {
      onFile({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
    } catch {
      onError(L.fileUnreadable);
    }
  };

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setDragging(false);
    void read(e.dataTransfer.files[0]);
  };

  return (
    <div
      className={`dropzone${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <label htmlFor={id}>{label}</label>
      <input id={id} type="file" accept={accept} onChange={(e) => void read(e.target.files?.[0])} aria-describedby={`${id}-hint`} />
      <span id={`${id}-hint`} className="hint">
        {hint}
      </span>
      {chosen ? (
        <p className="hint" aria-live="polite">
          {L.fileChosen(chosen.name, chosen.bytes.length)}
        </p>
      ) : null}
    </div>
  );
}
