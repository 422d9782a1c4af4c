// A failed request, shown where it happened, with a way to dismiss it.
import { useTranslation } from 'react-i18next';

export function ErrorNotice({ message, onDismiss }: { message: string | null; onDismiss?: () => void }) {
  const { t } = useTranslation();
  if (!message) return null;
  return (
    <div className="notice error row" role="alert">
      <span className="spacer">{message}</span>
      {onDismiss ? <button type="button" className="button small" onClick={onDismiss}>{t('common.dismiss')}</button> : null}
    </div>
  );
}
