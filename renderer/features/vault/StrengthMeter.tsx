import { L } from '../../app/labels.js';
import { estimateBits, MAX_BITS, strengthLevel } from './strength.js';

export function StrengthMeter({ passphrase }: { passphrase: string }) {
  const bits = estimateBits(passphrase);
  const level = strengthLevel(bits);
  const text = L.strengthText(L.strengthWords[level] ?? '', bits);
  return (
    <div className="meter-row">
      <div
        role="meter"
        aria-label={L.strengthMeter}
        aria-valuemin={0}
        aria-valuemax={MAX_BITS}
        aria-valuenow={bits}
        aria-valuetext={text}
        className={`meter level-${passphrase === '' ? 'none' : level}`}
      >
        <div className="meter-bar" />
      </div>
      <span className="meter-text" aria-hidden="true">
        {passphrase === '' ? '' : text}
      </span>
    </div>
  );
}
