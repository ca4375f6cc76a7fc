import { useEffect, useRef } from 'react';
import { useApi } from './api/ApiContext';
import { useConnectionState, useOnReconnect } from './api/useConnection';
import { useQuery } from './api/useQuery';
import { JobsPanel } from './jobs/JobsPanel';
import { JobsProvider } from './jobs/JobsStore';
import { JobsDrawerProvider } from './jobs/JobsDrawerState';
import { KeyboardLayer } from './shell/KeyboardLayer';
import { SectionPage } from './pages/SectionPage';
import { useHashRoute } from './routing/useHashRoute';
import { useSectionShortcuts } from './routing/useSectionShortcuts';
import { sectionLabel } from './routing/sections';
import { AppHeader } from './shell/AppHeader';
import { DisconnectedBanner } from './shell/DisconnectedBanner';
import { SideNav } from './shell/SideNav';
import { StatusBar } from './shell/StatusBar';
import { useTheme } from './theme/useTheme';

export function App() {
  const api = useApi();
  const { theme, toggle } = useTheme();
  const route = useHashRoute();
  const connection = useConnectionState();
  const info = useQuery('app.info', () => api.call('app.info', {}));
  useOnReconnect(info.reload);
  useSectionShortcuts();

  const appName = info.data?.name ?? 'FFN Lab';
  useEffect(() => {
    document.title = `${sectionLabel(route.section)} · ${appName}`;
  }, [route.section, appName]);

  // After a section switch (e.g. Alt+n), move focus into the new page if it was left on
  // something that no longer exists, so keyboard users do not start again from the top.
  const main = useRef<HTMLElement>(null);
  const firstSection = useRef(true);
  useEffect(() => {
    if (firstSection.current) {
      firstSection.current = false;
      return;
    }
    const active = document.activeElement;
    if (!active || active === document.body || !active.isConnected) main.current?.focus({ preventScroll: true });
  }, [route.section, route.rest]);

  return (
    <JobsProvider>
      <JobsDrawerProvider>
      <div className="app">
        <button type="button" className="skip-link" onClick={() => main.current?.focus()}>
          Skip to content
        </button>
        <AppHeader info={info.data} theme={theme} onToggleTheme={toggle} />
        {connection === 'closed' && <DisconnectedBanner />}
        <div className="app-body">
          <SideNav current={route.section} />
          <div className="workspace">
            <main id="main" ref={main} className="main" tabIndex={-1} data-testid={`page-${route.section}`}>
              <div className="main-inner">
                <SectionPage route={route} info={info.data} />
              </div>
            </main>
            <JobsPanel />
          </div>
        </div>
        <StatusBar info={info.data} infoError={info.error?.message ?? null} connection={connection} />
        <KeyboardLayer />
      </div>
      </JobsDrawerProvider>
    </JobsProvider>
  );
}
