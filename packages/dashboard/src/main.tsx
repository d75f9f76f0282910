// Entry point: theme first (no flash of the wrong colours), then the app.
import { render } from 'preact';
import { App } from './app';
import { applyTheme, storedTheme } from './state/theme';
import './styles.css';

applyTheme(storedTheme());
render(<App />, document.getElementById('app')!);
