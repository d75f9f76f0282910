// Light, dark, or the system's choice; remembered in localStorage and applied as data-theme on
// <html> so CSS variables switch. Charts read the variables when they draw.
import { useEffect, useState } from 'preact/hooks';

export type ThemeChoice = 'system' | 'light' | 'dark';
const STORAGE_KEY = 'vigil.theme';
const media = () => window.matchMedia('(prefers-color-scheme: dark)');

export function effectiveTheme(choice: ThemeChoice): 'light' | 'dark' {
  return choice === 'system' ? (media().matches ? 'dark' : 'light') : choice;
}

export function applyTheme(choice: ThemeChoice): void {
  document.documentElement.dataset.theme = effectiveTheme(choice);
}

export function storedTheme(): ThemeChoice {
  const v = localStorage.getItem(STORAGE_KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

/** The current theme choice and a setter; re-renders on system changes too. */
export function useTheme() {
  const [choice, setChoice] = useState<ThemeChoice>(storedTheme);
  const [, bump] = useState(0);
  useEffect(() => {
    applyTheme(choice);
    const m = media();
    const onChange = () => {
      applyTheme(choice);
      bump((n) => n + 1);
    };
    m.addEventListener('change', onChange);
    return () => m.removeEventListener('change', onChange);
  }, [choice]);
  return {
    choice,
    theme: effectiveTheme(choice),
    setChoice(next: ThemeChoice) {
      if (next === 'system') localStorage.removeItem(STORAGE_KEY);
      else localStorage.setItem(STORAGE_KEY, next);
      setChoice(next);
    },
  };
}
