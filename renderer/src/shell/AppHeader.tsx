import type { AppInfo } from '../api/contract';
import type { Theme } from '../theme/theme';
import { ThemeToggle } from '../theme/ThemeToggle';
import { LogoMark } from './LogoMark';

interface Props {
  info: AppInfo | undefined;
  theme: Theme;
  onToggleTheme: () => void;
}

export function AppHeader({ info, theme, onToggleTheme }: Props) {
  return (
    <header className="app-header">
      <div className="app-brand">
        <LogoMark />
        <span className="app-name" data-testid="app-name">{info?.name ?? 'FFN Lab'}</span>
        {info && (
          <span className="app-version" data-testid="app-version" title="Version">
            v{info.version}
          </span>
        )}
      </div>
      <div className="app-header-actions">
        <ThemeToggle theme={theme} onToggle={onToggleTheme} />
      </div>
    </header>
  );
}
