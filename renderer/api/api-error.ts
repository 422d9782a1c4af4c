// Turns a Result envelope into a value or a thrown ApiCallError, so UI code can
// use try/catch and still show the typed error's userMessage.
import type { Result, SerializedError } from '../../common/errors.ts';

export class ApiCallError extends Error {
  readonly error: SerializedError;
  constructor(error: SerializedError) {
    super(error.userMessage);
    this.name = 'ApiCallError';
    this.error = error;
  }
}

export async function unwrap<T>(pending: Promise<Result<T>>): Promise<T> {
  const result = await pending;
  if (!result.ok) throw new ApiCallError(result.error);
  return result.value;
}

/** The message to show a person for anything thrown. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiCallError) return error.error.userMessage;
  if (error instanceof Error) return error.message;
  return String(error);
}
