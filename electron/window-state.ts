// The main window's size and position, remembered between runs in a small
// JSON file. fitToDisplays keeps a saved position only when enough of the
// window lands on a display that still exists (a monitor may have been
// unplugged since), and keeps the size within the largest work area.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';

export const windowStateSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof windowStateSchema>;

export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const MIN_WIDTH = 720;
export const MIN_HEIGHT = 480;
export const DEFAULT_WINDOW_STATE: WindowState = { width: 1200, height: 800, maximized: false };
const MIN_VISIBLE = 100;

function overlap(a: Area, b: Area): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

export function fitToDisplays(state: WindowState, workAreas: readonly Area[]): WindowState {
  const largest = workAreas.reduce<Area | undefined>((best, area) => (!best || area.width * area.height > best.width * best.height ? area : best), undefined);
  const width = Math.max(MIN_WIDTH, Math.min(state.width, largest?.width ?? state.width));
  const height = Math.max(MIN_HEIGHT, Math.min(state.height, largest?.height ?? state.height));
  const fitted: WindowState = { width, height, maximized: state.maximized };
  if (state.x === undefined || state.y === undefined) return fitted;
  const rect = { x: state.x, y: state.y, width, height };
  const visible = workAreas.some((area) => {
    const shared = overlap(rect, area);
    return shared.width >= MIN_VISIBLE && shared.height >= MIN_VISIBLE && rect.y >= area.y - 8;
  });
  return visible ? { ...fitted, x: state.x, y: state.y } : fitted;
}

export async function loadWindowState(file: string): Promise<WindowState> {
  try {
    const parsed = windowStateSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : DEFAULT_WINDOW_STATE;
  } catch {
    return DEFAULT_WINDOW_STATE;
  }
}

export async function saveWindowState(file: string, state: WindowState): Promise<void> {
  const temp = `${file}.tmp`;
  await writeFile(temp, `${JSON.stringify(state)}\n`, 'utf8');
  await rename(temp, file);
}
