// Which chains may resume mid-video, as the chain plan decides it from each
// step's temporal context (plan/chain-plan.ts, resumeModeOf). Exact resume
// needs output frame k to depend on source frame k alone: upscaling does;
// stylize does when its temporal stabiliser (state carried from the previous
// frame) is off. Interpolation carries state (pairs, scene and duplicate
// facts over runs) but replays it cheaply from the source frames
// (FrameStage.resumeAt), which is exact only when it is the first step: after
// an upscale its facts come from upscaled frames, which differ in general
// from the source's, and replaying them would mean upscaling every skipped
// frame again. Other chains start again from the first frame, with a notice.
import type { Step } from '../../common/job-spec.ts';
import { resumeModeOf } from '../plan/chain-plan.ts';

export function isResumableChain(steps: readonly Step[], isVideo = true): boolean {
  return resumeModeOf(steps, isVideo) !== 'restart';
}
