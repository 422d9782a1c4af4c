// Types for the lint rule module (plain JavaScript, loaded by eslint.config.js).
export declare const ENGINE_LAYERS: readonly string[];
export declare const engineLayersPlugin: { rules: Record<string, unknown> };
