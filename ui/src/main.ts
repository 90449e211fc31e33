import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { lang } from './lib/i18n.svelte';

document.documentElement.lang = lang.current;
const app = mount(App, { target: document.getElementById('app')! });

export default app;
