import { useCallback, useEffect, useState } from 'react';
import { storeTheme, storedTheme, systemTheme, type Theme } from './theme';

/**
 * The effective theme, applied as data-theme on <html>. It follows prefers-color-scheme until
 * the user toggles, then keeps the choice in localStorage.
 */
export function useTheme(): { theme: Theme; toggle: () => void } {
  const [chosen, setChosen] = useState<Theme | null>(() => storedTheme());
  const [system, setSystem] = useState<Theme>(() => systemTheme());
  const theme = chosen ?? system;

  useEffect(() => {
    const query = window.matchMedia('(prefers-color-scheme: dark)');
    const update = () => setSystem(query.matches ? 'dark' : 'light');
    query.addEventListener('change', update);
    return () => query.removeEventListener('change', update);
  }, []);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  const toggle = useCallback(() => {
    const next: Theme = theme === 'dark' ? 'light' : 'dark';
    storeTheme(next);
    setChosen(next);
  }, [theme]);

  return { theme, toggle };
}
