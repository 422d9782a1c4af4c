// Engine errors as the GUI shows them: no command-line flag survives, the
// GUI's own control is named instead, and the field at fault is known from a
// structured hint or else from the error's code.
import { createInstance, type TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { OutputExistsError, OutputNotWritableError, InvalidArgumentError } from '../../../common/errors.ts';
import { toGuiError, withoutFlags } from '../../../renderer/gui-error.ts';
import en from '../../../renderer/i18n/en.json' with { type: 'json' };

let t: TFunction;

beforeAll(async () => {
  const instance = createInstance();
  await instance.init({ resources: { en: { translation: en } }, lng: 'en', interpolation: { escapeValue: false } });
  t = instance.t;
});

describe('GUI errors', () => {
  it('marks the overwrite checkbox for an existing output, with no flag in the message', () => {
    const shown = toGuiError(t, new OutputExistsError('/out/clip-x4.mp4').toJSON());
    expect(shown.message).toMatch(/^\/out\/clip-x4\.mp4 already exists\. Choose another name/);
    expect(shown.message).not.toMatch(/--/);
    expect(shown.field).toBe('outputSettings.overwrite');
  });

  it('drops "(--flag)" from a message that still carries one', () => {
    expect(withoutFlags(t, '/out/a.mp4 already exists. Choose another name, or allow overwriting (--overwrite).')).toBe('/out/a.mp4 already exists. Choose another name, or allow overwriting.');
  });

  it('names the control for a bare flag and keeps paths with dashes intact', () => {
    expect(withoutFlags(t, 'Use --overwrite or pick --codec h264 for /tmp/a--b/x-y.mp4.')).toBe('Use “Replace an existing output file” or pick “Codec” h264 for /tmp/a--b/x-y.mp4.');
    expect(withoutFlags(t, 'Try a smaller tile (--tile 256).')).toBe('Try a smaller tile.');
  });

  it('marks the output folder for an unwritable one and prefers a structured hint', () => {
    expect(toGuiError(t, new OutputNotWritableError('/root/x').toJSON()).field).toBe('outputFolder');
    const hinted = { ...new InvalidArgumentError('Tiles too large.').toJSON(), hint: { field: 'processing.tile', action: 'reduce-tile' } } as const;
    expect(toGuiError(t, hinted).field).toBe('processing.tile');
    expect(toGuiError(t, new InvalidArgumentError('Something else.').toJSON()).field).toBeNull();
  });
});
