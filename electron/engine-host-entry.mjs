// Entry of the engine utility process: tsx compiles the TypeScript engine on
// load (the same way bin/framesmith.js runs the CLI), so no build step stands
// between the checkout and `npm start`.
import { register } from 'tsx/esm/api';

register();
await import('./engine-host.ts');
