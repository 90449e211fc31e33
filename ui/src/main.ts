import { mount } from 'svelte';
// The Korean font ships with the app (woff2 slices by unicode-range in ui/dist,
// only those a screen needs are loaded): no system CJK font is assumed.
import '@fontsource-variable/noto-sans-kr';
import './app.css';
import App from './App.svelte';
import { lang } from './lib/i18n.svelte';

document.documentElement.lang = lang.current;
const app = mount(App, { target: document.getElementById('app')! });

export default app;
