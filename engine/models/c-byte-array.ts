// Decodes the byte array of a C header (`static const unsigned char x[] = {
// 0xdd,0x85,... };`): how ncnn's binary .param of the fast-style nets is
// published. Only the first brace-delimited initializer is read.
import { InvalidArgumentError } from '../../common/errors.ts';

export function decodeCByteArray(text: string, what = 'the header'): Uint8Array {
  const open = text.indexOf('{');
  const close = open < 0 ? -1 : text.indexOf('}', open);
  if (open < 0 || close < 0) throw new InvalidArgumentError(`${what} holds no C array initializer ("{ ... }").`);
  const tokens = text.slice(open + 1, close).split(',').map((token) => token.trim()).filter((token) => token.length > 0);
  const bytes = new Uint8Array(tokens.length);
  tokens.forEach((token, index) => {
    const value = /^0x[0-9a-f]{1,2}$/i.test(token) ? Number.parseInt(token.slice(2), 16) : /^\d{1,3}$/.test(token) ? Number(token) : Number.NaN;
    if (!(value >= 0 && value <= 255)) throw new InvalidArgumentError(`${what}: "${token}" at position ${index} is not a byte.`);
    bytes[index] = value;
  });
  return bytes;
}
