import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiProvider } from './api/ApiContext';
import { createApiClient } from './api/client';
import { App } from './App';
import './styles/theme.css';
import './styles/base.css';
import './styles/layout.css';
import './styles/controls.css';
import './styles/pages.css';
import './styles/jobs.css';
import './styles/ablation.css';
import './styles/compare.css';
import './styles/data.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

createRoot(container).render(
  <StrictMode>
    <ApiProvider client={createApiClient()}>
      <App />
    </ApiProvider>
  </StrictMode>,
);
