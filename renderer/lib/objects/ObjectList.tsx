/**
 * An object kind's list: a listbox virtualized with @tanstack/react-virtual,
 * so 10,000 objects render only the rows in view. Keyboard: Up/Down/Home/
 * End/PageUp/PageDown move the active row (aria-activedescendant), Enter or
 * Space opens it; a click selects and opens. Each row shows the name, the
 * status chips and what the kind adds (`extra`: a content type, a key type).
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { L } from '../../app/labels.js';
import { useClock } from '../clock.js';
import { Chips } from './Chips.js';
import { chipsOf, type ListItem, type ListRow } from './status.js';

const ROW_HEIGHT = 44;

export interface ObjectListProps<T extends ListItem> {
  /** Every object of the kind (null while loading). */
  total: number | null;
  /** The rows to show, sorted and filtered. */
  rows: readonly ListRow<T>[];
  selected: string | null;
  onOpen: (name: string) => void;
  label: string;
  empty: string;
  noMatch: string;
  count: (n: number) => string;
  extra?: (item: T) => ReactNode;
}

export function ObjectList<T extends ListItem>({ total, rows, selected, onOpen, label, empty, noMatch, count, extra }: ObjectListProps<T>) {
  const nowSeconds = Math.floor(useClock().now() / 1000);
  const [active, setActive] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);
  const idBase = useId();

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });

  // Keep the active row inside the list when it shrinks (search).
  const activeIndex = Math.min(active, Math.max(rows.length - 1, 0));
  useEffect(() => {
    if (rows.length > 0) virtualizer.scrollToIndex(activeIndex, { align: 'auto' });
  }, [activeIndex, rows.length, virtualizer]);

  if (total === null) return <p className="muted">{L.loading}</p>;
  if (total === 0) return <p className="empty">{empty}</p>;

  const optionId = (i: number) => `${idBase}-opt-${i}`;
  const move = (to: number) => setActive(Math.max(0, Math.min(rows.length - 1, to)));
  const pageSize = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    switch (e.key) {
      case 'ArrowDown':
        move(activeIndex + 1);
        break;
      case 'ArrowUp':
        move(activeIndex - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(rows.length - 1);
        break;
      case 'PageDown':
        move(activeIndex + pageSize);
        break;
      case 'PageUp':
        move(activeIndex - pageSize);
        break;
      case 'Enter':
      case ' ': {
        const row = rows[activeIndex];
        if (row) onOpen(row.name);
        break;
      }
      default:
        return;
    }
    e.preventDefault();
  };

  return (
    <>
      <p className="muted count" aria-live="polite">
        {rows.length === 0 ? noMatch : count(rows.length)}
      </p>
      <div
        ref={scrollRef}
        className="list-scroll"
        role="listbox"
        aria-label={label}
        tabIndex={0}
        aria-activedescendant={rows.length > 0 ? optionId(activeIndex) : undefined}
        onKeyDown={onKeyDown}
      >
        <div className="list-inner" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((v) => {
            const row = rows[v.index];
            if (!row) return null;
            const isActive = v.index === activeIndex;
            const isOpen = row.name === selected;
            const chips = chipsOf(row.item.attributes, nowSeconds);
            const more = extra?.(row.item);
            return (
              <div
                key={row.name}
                id={optionId(v.index)}
                role="option"
                aria-label={row.name}
                aria-describedby={chips.length > 0 ? `${optionId(v.index)}-chips` : undefined}
                aria-selected={isActive}
                aria-current={isOpen ? 'true' : undefined}
                aria-setsize={rows.length}
                aria-posinset={v.index + 1}
                className={`row${isActive ? ' active' : ''}${isOpen ? ' open' : ''}`}
                style={{ transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}
                onClick={() => {
                  setActive(v.index);
                  onOpen(row.name);
                }}
              >
                <span className="row-name">{row.name}</span>
                <Chips chips={chips} id={`${optionId(v.index)}-chips`} />
                {more ? <span className="row-extra muted">{more}</span> : null}
              </div>
            );
          })}
        </div>
      </div>
    </>
  );
}
