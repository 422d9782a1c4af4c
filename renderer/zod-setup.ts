// Imported first by main.tsx, before any schema is built: zod's fast path
// probes for eval with `new Function`, and the page's security policy (no
// 'unsafe-eval') reports that probe as a violation in the console even though
// zod catches it. Jitless parsing skips the probe; the UI's schemas are small.
import { z } from 'zod';

z.config({ jitless: true });
