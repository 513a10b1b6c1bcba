import type { RiskyChoice } from '../../electron/contract/risks';

/**
 * Risky choices (see electron/contract/risks.ts), set apart from ordinary warnings: the wizard's review
 * shows them before anything is saved, the machine view for as long as the setting is on.
 */
export function RiskList({ risks }: { risks: RiskyChoice[] }) {
  if (!risks.length) return null;
  const danger = risks.some((r) => r.level === 'danger');
  return (
    <div className={`banner ${danger ? 'risk' : 'warning'}`} role="group" aria-label="Risks">
      <strong>{danger ? 'Risky choices: root in this machine can act as you' : 'Private files are visible to this machine'}</strong>
      <ul>
        {risks.map((r) => (
          <li key={r.text} className={r.level}>
            <span className="risk-level">{r.level === 'danger' ? 'Risk' : 'Note'}:</span> {r.text}
          </li>
        ))}
      </ul>
    </div>
  );
}
