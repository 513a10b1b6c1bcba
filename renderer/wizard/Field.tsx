import { useId, type ReactNode } from 'react';

/** A labelled form field with its error right under it, announced to screen readers. */
export function Field({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string;
  hint?: ReactNode;
  children: (id: string, describedBy: string | undefined) => ReactNode;
}) {
  const id = useId();
  const errId = `${id}-err`;
  return (
    <div className={`field ${error ? 'invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(id, error ? errId : undefined)}
      {hint && !error && <div className="hint">{hint}</div>}
      {error && (
        <div className="error-text" id={errId} role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
