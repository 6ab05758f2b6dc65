// The worker thread without a bundle: register tsx's loader in this thread, then load the TypeScript worker
// (which listens for its payload, and imports the ref's resolver through tsx).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
