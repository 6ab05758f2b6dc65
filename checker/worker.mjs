// Piscina loads plain JavaScript: register tsx's loader in this worker thread, then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
const mod = await import('./worker.ts');
export default mod.default;
