/** Status chips of an object or a version; none when all is well (the versions table then says Enabled). */
import { CHIP_LABEL, type ChipKind } from './status.js';

export function Chips({ chips, id }: { chips: ChipKind[]; id?: string }) {
  if (chips.length === 0) return null;
  return (
    <span className="chips" id={id}>
      {chips.map((c) => (
        <span key={c} className={`chip chip-${c}`}>
          {CHIP_LABEL[c]}
        </span>
      ))}
    </span>
  );
}
