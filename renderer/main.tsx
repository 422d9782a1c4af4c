// Entry of the renderer bundle: i18n first (every string goes through it),
// then the root that connects to the API. zod-setup goes before everything.
import './zod-setup.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { createI18n } from './i18n/create-i18n.ts';
import { Root } from './Root.tsx';
import './styles/app.css';

async function start(): Promise<void> {
  const i18n = await createI18n('en');
  const container = document.getElementById('root');
  if (!container) throw new Error('index.html has no #root element');
  createRoot(container).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <Root />
      </I18nextProvider>
    </StrictMode>,
  );
}

void start();
