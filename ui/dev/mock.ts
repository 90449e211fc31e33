// Development only: runs the UI in a plain browser against an in-memory mock
// of the Tauri commands (`npm run dev`, then open /dev/mock.html). It is not
// part of the app build (vite builds index.html only). Query parameters:
//   ?user=admin|kim|park  signs in at once as that user
//   ?n=1000000            how many synthetic claims the queue holds
//   #/claim/D22-0000042   any route of the app
import { installMockBackend } from './mock-backend';

installMockBackend(new URLSearchParams(location.search));
await import('../src/main');
