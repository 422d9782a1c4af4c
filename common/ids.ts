// Branded ids: a ModelId cannot be passed where a JobId is expected.

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type ModelId = Brand<string, 'ModelId'>;
export type JobId = Brand<string, 'JobId'>;
export type PresetId = Brand<string, 'PresetId'>;

export function modelId(value: string): ModelId {
  return value as ModelId;
}

export function jobId(value: string): JobId {
  return value as JobId;
}

export function presetId(value: string): PresetId {
  return value as PresetId;
}
