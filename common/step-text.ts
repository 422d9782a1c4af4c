// The command line's compact form of a chain step:
//   upscale:model=realesr-animevideov3-x4,scale=2
//   interpolate:fps=60000/1001,scene-threshold=0.4
//   stylize:style=candy,strength=0.8,keep-colors
// Keys may be kebab-case; a bare key means true. The result is a plain
// object for the step schema to validate (which names any bad field).

function camelCase(key: string): string {
  return key.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Numbers and booleans become typed; frame rates such as "60000/1001" stay text. */
function coerce(key: string, value: string): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (key !== 'fps' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

export function parseStepText(text: string): Record<string, unknown> {
  const colon = text.indexOf(':');
  const kind = (colon < 0 ? text : text.slice(0, colon)).trim();
  if (!/^[a-z]+$/.test(kind)) {
    throw new RangeError(`Expected a step such as "upscale:scale=2" but received "${text}".`);
  }
  const step: Record<string, unknown> = { kind };
  const body = colon < 0 ? '' : text.slice(colon + 1);
  for (const part of body.split(',').map((piece) => piece.trim()).filter(Boolean)) {
    const equals = part.indexOf('=');
    const rawKey = equals < 0 ? part : part.slice(0, equals);
    const key = camelCase(rawKey.trim().replace(/^no-/, ''));
    if (!/^[a-zA-Z]+$/.test(key)) throw new RangeError(`Bad key "${rawKey}" in step "${text}".`);
    if (equals < 0) step[key] = !rawKey.trim().startsWith('no-');
    else step[key] = coerce(key, part.slice(equals + 1).trim());
  }
  return step;
}
