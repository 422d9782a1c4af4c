// The after-view of a finished job: the real output against its source, both
// read from the machine that ran the job: over HTTP from `framesmith serve`,
// through the preview protocol in the desktop app (byte ranges let videos seek).
// Images: the compare slider with zoom. Videos: the two players one over the
// other, split by a slider, on a chosen frame of the output, and playback
// with the source kept in step.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MediaProbe } from '../../common/api/api-types.ts';
import { jobFileUrlOn } from '../../common/api/job-files.ts';
import type { JobSnapshot } from '../../common/jobs.ts';
import { messageOf, unwrap } from '../api/api-error.ts';
import { useApi, useHost } from '../api/ApiContext.tsx';
import { baseName, frameOrdinal } from '../format.ts';
import { CompareView } from './CompareView.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';

interface ResultCompareProps {
  job: JobSnapshot;
  itemIndex: number;
}

/** Drift between the two players, in seconds, above which the source is moved back in step. */
const MAX_DRIFT_SECONDS = 0.08;

export function ResultCompare({ job, itemIndex }: ResultCompareProps) {
  const { t } = useTranslation();
  const api = useApi();
  const host = useHost();
  const item = job.items[itemIndex];
  const [probes, setProbes] = useState<{ input: MediaProbe; output: MediaProbe } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  useEffect(() => {
    if (!item) return;
    let live = true;
    Promise.all([unwrap(api.preview.probe({ path: item.input })), unwrap(api.preview.probe({ path: item.output }))]).then(
      ([input, output]) => { if (live) setProbes({ input, output }); },
      (failure: unknown) => { if (live) setError(messageOf(failure)); },
    );
    return () => { live = false; };
  }, [api, item]);

  if (!item) return null;
  const name = baseName(item.input);
  const before = jobFileUrlOn(host.kind, job.id, itemIndex, 'input');
  const after = jobFileUrlOn(host.kind, job.id, itemIndex, 'output');
  return (
    <section className="stack result-compare" aria-labelledby={`result-${job.id}-${itemIndex}`}>
      <h3 id={`result-${job.id}-${itemIndex}`} ref={heading} tabIndex={-1}>{t('results.compareTitle', { name })}</h3>
      <ErrorNotice message={error} />
      {probes?.output.kind === 'image' ? (
        <CompareView pair={{
          frameIndex: 0,
          before: { width: probes.input.width, height: probes.input.height, pngBase64: '', url: before },
          after: { width: probes.output.width, height: probes.output.height, pngBase64: '', url: after },
        }} />
      ) : null}
      {probes?.output.kind === 'video' ? <VideoCompare before={before} after={after} input={probes.input} output={probes.output} /> : null}
      {!probes && !error ? <p className="muted small" role="status">{t('common.loading')}</p> : null}
    </section>
  );
}

interface VideoCompareProps {
  before: string;
  after: string;
  input: MediaProbe;
  output: MediaProbe;
}

function VideoCompare({ before, after, input, output }: VideoCompareProps) {
  const { t } = useTranslation();
  const source = useRef<HTMLVideoElement>(null);
  const result = useRef<HTMLVideoElement>(null);
  const viewport = useRef<HTMLDivElement>(null);
  const lastFrame = Math.max(0, output.frameCount - 1);
  const [frame, setFrame] = useState(Math.floor(lastFrame / 2));
  const [split, setSplit] = useState(50);
  const [playing, setPlaying] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const fps = output.frameRate > 0 ? output.frameRate : 25;

  useEffect(() => {
    if (playing) return;
    // The middle of the frame's display interval, so both players land on it and not on the one before.
    const time = Math.min(output.durationSeconds, (frame + 0.5) / fps);
    for (const video of [source.current, result.current]) if (video) video.currentTime = time;
  }, [frame, fps, output.durationSeconds, playing]);

  function togglePlay() {
    const out = result.current;
    const src = source.current;
    if (!out || !src) return;
    if (playing) {
      out.pause();
      src.pause();
      setPlaying(false);
      setFrame(Math.min(lastFrame, Math.floor(out.currentTime * fps)));
      return;
    }
    src.currentTime = out.currentTime;
    void out.play();
    void src.play();
    setPlaying(true);
  }

  function follow() {
    const out = result.current;
    const src = source.current;
    if (!out || !src) return;
    if (Math.abs(src.currentTime - out.currentTime) > MAX_DRIFT_SECONDS) src.currentTime = out.currentTime;
  }

  function splitAt(clientX: number) {
    const box = viewport.current?.getBoundingClientRect();
    if (box && box.width > 0) setSplit(Math.min(100, Math.max(0, ((clientX - box.left) / box.width) * 100)));
  }

  const cannotPlay = (which: string) => () => setProblem(t('results.cannotPlay', { name: which }));
  return (
    <div className="stack">
      <div className="row wrap">
        <span className="muted small">{t('preview.sizes', { before: `${input.width}×${input.height}`, after: `${output.width}×${output.height}` })}</span>
        <span className="spacer" />
        <span className="muted small" data-testid="result-split">{t('preview.position', { percent: Math.round(split) })}</span>
      </div>
      {problem ? <div className="notice warn small" role="status">{problem}</div> : null}
      <div
        ref={viewport}
        className="video-compare"
        // The box takes the video's own shape, so the split line, the labels and the picture's edges coincide.
        style={{ aspectRatio: `${output.width} / ${output.height}`, maxWidth: `min(100%, calc(60vh * ${output.width / output.height}))` }}
        onPointerDown={(event) => { setDragging(true); event.currentTarget.setPointerCapture(event.pointerId); splitAt(event.clientX); }}
        onPointerMove={(event) => { if (dragging) splitAt(event.clientX); }}
        onPointerUp={() => setDragging(false)}
      >
        <video ref={result} src={after} preload="auto" playsInline data-testid="result-after" aria-label={t('preview.after')} onTimeUpdate={follow} onEnded={() => setPlaying(false)} onError={cannotPlay(t('preview.after'))} />
        <video ref={source} src={before} preload="auto" playsInline muted data-testid="result-before" aria-label={t('preview.before')} style={{ clipPath: `inset(0 ${100 - split}% 0 0)` }} onError={cannotPlay(t('preview.before'))} />
        <span className="compare-label before">{t('preview.before')}</span>
        <span className="compare-label after">{t('preview.after')}</span>
        <span className="video-compare-handle" style={{ left: `${split}%` }} aria-hidden="true" />
      </div>
      <div className="grid-2">
        <label className="field">
          <span>{t('results.split')}</span>
          <input type="range" min={0} max={100} value={Math.round(split)} onChange={(event) => setSplit(Number(event.target.value))} />
        </label>
        <label className="field">
          <span>{t('results.frame', frameOrdinal(frame, output.frameCount))}</span>
          <input type="range" min={0} max={lastFrame} value={frame} disabled={playing} onChange={(event) => setFrame(Number(event.target.value))} />
        </label>
      </div>
      <div className="row">
        <button type="button" className="button" onClick={togglePlay}>{playing ? t('results.pause') : t('results.play')}</button>
      </div>
    </div>
  );
}
