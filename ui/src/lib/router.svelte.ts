// A small hash router: #/queue, #/claim/D22-0000043, #/batches/b-12, ...

export type Screen = 'queue' | 'claim' | 'batches' | 'policy' | 'import' | 'dashboard' | 'settings' | 'first-run' | 'sync' | 'conflicts' | 'notices';

export interface Route {
  screen: Screen;
  param: string | null;
  query: URLSearchParams;
}

const SCREENS: Screen[] = ['queue', 'claim', 'batches', 'policy', 'import', 'dashboard', 'settings', 'first-run', 'sync', 'conflicts', 'notices'];

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const [path, qs] = h.split('?', 2);
  const [first, ...rest] = path.split('/');
  const screen = (SCREENS as string[]).includes(first) ? (first as Screen) : 'queue';
  const param = rest.length ? decodeURIComponent(rest.join('/')) : null;
  return { screen, param, query: new URLSearchParams(qs ?? '') };
}

export function hrefFor(screen: Screen, param?: string | null, query?: Record<string, string>): string {
  let h = `#/${screen}`;
  if (param) h += `/${encodeURIComponent(param)}`;
  if (query && Object.keys(query).length) h += `?${new URLSearchParams(query).toString()}`;
  return h;
}

export const route = $state<{ current: Route }>({
  current: parseHash(typeof location !== 'undefined' ? location.hash : ''),
});

export function navigate(screen: Screen, param?: string | null, query?: Record<string, string>): void {
  const h = hrefFor(screen, param, query);
  if (location.hash === h) route.current = parseHash(h);
  else location.hash = h;
}

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => {
    route.current = parseHash(location.hash);
  });
}
