/**
 * The secrets list: a listbox virtualized with @tanstack/react-virtual, so
 * 10,000 secrets render only the rows in view. Keyboard: Up/Down/Home/End/
 * PageUp/PageDown move the selection (aria-activedescendant), Enter or Space
 * opens it; a click selects and opens.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { L } from '../../app/labels.js';
import { useClock } from '../../lib/clock.js';
import { Chips } from './Chips.js';
import { chipsOf, filterRows, sortRows } from './status.js';
import { useSecrets } from './store.js';

const ROW_HEIGHT = 44;

export function SecretList() {
  const items = useSecrets((s) => s.items);
  const query = useSecrets((s) => s.query);
  const sort = useSecrets((s) => s.sort);
  const selected = useSecrets((s) => s.selected);
  const select = useSecrets((s) => s.select);
  const clock = useClock();
  const nowSeconds = Math.floor(clock.now() / 1000);
  const sorted = useMemo(() => sortRows(items ?? [], sort), [items, sort]);
  const rows = useMemo(() => filterRows(sorted, query), [sorted, query]);
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

  if (items === null) return <p className="muted">{L.loading}</p>;
  if (items.length === 0) return <p className="empty">{L.emptySecrets}</p>;

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
        if (row) void select(row.name);
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
        {rows.length === 0 ? L.noMatch : L.secretCount(rows.length)}
      </p>
      <div
        ref={scrollRef}
        className="list-scroll"
        role="listbox"
        aria-label={L.secretsList}
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
                  void select(row.name);
                }}
              >
                <span className="row-name">{row.name}</span>
                <Chips chips={chips} id={`${optionId(v.index)}-chips`} />
                {row.item.contentType ? <span className="row-ct muted">{row.item.contentType}</span> : null}
              </div>
            );
          })}
        </div>
      </div>
    </>
  );
}
