// Which chains may resume mid-video. Exact resume needs output frame k to
// depend on source frame k alone: upscaling does; stylize does when its
// temporal stabiliser (state carried from the previous frame) is off;
// interpolation (pairs, scene and duplicate detection over runs) does not.
// Those chains start again from the first frame, with a notice.
import type { Step } from '../../common/job-spec.ts';

export function isResumableChain(steps: readonly Step[], isVideo = true): boolean {
  return steps.every((step) => {
    if (step.kind === 'upscale') return true;
    if (step.kind === 'stylize') return !(isVideo && (step.stabilize ?? true));
    return false;
  });
}
