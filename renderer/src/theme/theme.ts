export type Theme = 'light' | 'dark';

export const themeStorageKey = 'ffn-lab.theme';

/** The theme the user chose with the toggle, or null to follow the system. */
export function storedTheme(): Theme | null {
  try {
    const value = window.localStorage.getItem(themeStorageKey);
    return value === 'light' || value === 'dark' ? value : null;
  } catch {
    return null;
  }
}

export function storeTheme(theme: Theme): void {
  try {
    window.localStorage.setItem(themeStorageKey, theme);
  } catch {
    // storage unavailable (private mode): the choice lasts for this session only
  }
}

export function systemTheme(): Theme {
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
