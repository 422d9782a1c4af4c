// Which file a URL path names inside a served folder, for `framesmith serve`
// and Electron's app protocol alike. Pure string work (no Node path module),
// so both hosts refuse traversal the same way: any "..", NUL, backslash or
// encoded separator trick yields undefined rather than a path.

export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function mimeTypeOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return (dot >= 0 ? MIME_TYPES[fileName.slice(dot).toLowerCase()] : undefined) ?? 'application/octet-stream';
}

/** The relative segments a URL path names ([] for the root), or undefined when it would leave the folder. */
export function safeRelativeSegments(urlPath: string): string[] | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.some((segment) => segment === '..' || /^[A-Za-z]:$/.test(segment))) return undefined;
  return segments;
}

/** The security policy of the UI page; `connect` adds sources such as the serve WebSocket, `media` those of preview clips. */
export function contentSecurityPolicy(connect: readonly string[] = [], images: readonly string[] = [], media: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob: ${images.join(' ')}`.trim(),
    `media-src 'self' blob: ${media.join(' ')}`.trim(),
    `connect-src 'self' ${connect.join(' ')}`.trim(),
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
