// Why the farm cannot be used, in the user's language, with the engine's
// detail (which address, which folder) below it.
import { useTranslation } from 'react-i18next';
import type { FarmProblem } from '../../common/api/api-types.ts';

export function FarmProblemText({ problem, detail }: { problem: FarmProblem | null; detail: string | null }) {
  const { t } = useTranslation();
  if (problem === null) return null;
  return (
    <span className="stack" style={{ gap: 2 }}>
      <span className={problem === 'no-workers' ? 'badge warn' : 'badge danger'}>{t(`farm.problems.${problem}`)}</span>
      {detail ? <span className="muted small">{detail}</span> : null}
    </span>
  );
}
