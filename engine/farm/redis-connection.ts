// The Redis a farm runs on, from a URL: redis://[user[:password]@]host[:port][/db]
// or rediss://... for TLS. Credentials never appear in logs (redactRedisUrl).
// Redis belongs on a private network or loopback: a farm trusts whoever can
// write to its queue to make workers read and write under the shared root.
import { InvalidArgumentError } from '../../common/errors.ts';

export interface RedisConnection {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, never>;
  /** BullMQ's workers need commands to wait through a reconnect rather than fail. */
  maxRetriesPerRequest: null;
}

export function redisConnection(url: string): RedisConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError(`Expected a Redis URL such as redis://127.0.0.1:6379 for the farm but received "${url}".`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new InvalidArgumentError(`Expected a redis:// or rediss:// URL for the farm but received the scheme "${parsed.protocol}".`);
  }
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const dbText = parsed.pathname.replace(/^\//, '');
  const db = dbText === '' ? undefined : Number(dbText);
  if (db !== undefined && (!Number.isInteger(db) || db < 0)) {
    throw new InvalidArgumentError(`Expected a database number after the host in the Redis URL but received "${dbText}".`);
  }
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db !== undefined ? { db } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** The URL with its password replaced, for messages and logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid Redis URL)';
  }
}
