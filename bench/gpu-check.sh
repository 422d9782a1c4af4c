#!/usr/bin/env bash
# One prepared run on a GPU machine, under 10 minutes: inference timing of
# RIFE 4.6 at 1920x1088, realesr-animevideov3 x4 at 1280x720, candy at
# 1920x1080 (fp32), and realesr-general-x4v3 at 1280x720 in fp16 and fp32,
# on WebGPU (through Vulkan), on CUDA and TensorRT where their libraries are
# installed, and on the CPU as the baseline; then the CLI end to end on a
# 1080p clip with the best provider. Each step has its own time limit, so a
# provider that hangs or fails costs its slot and the rest still runs.
#
# Run from the repository root (after npm install):
#   bash bench/gpu-check.sh
# Environment:
#   FRAMESMITH_MODELS   model root holding onnx/... (default ../shared/models)
#   GPU_CHECK_OUT       where results go (default gpu-check-results/)
#   GPU_CHECK_DEBS      a folder of .deb files (libvulkan1 ...) unpacked into /
#                       first when the machine has no Vulkan loader
#   FRAMESMITH_GPU_DIR  a folder with a `framesmith gpu install cuda` result
#                       (the data folder's gpu/): CUDA and TensorRT then run
#   GPU_CHECK_RUNS      timed runs per case (default 5, after one warm-up)
#   GPU_CHECK_SCALE     shrink every frame (0.1: a smoke run on a CPU machine)
# Published figures to compare with: RIFE 4.6 at 1080p 81 fps (ncnn Vulkan)
# and 270 fps (TensorRT) on an RTX 3080; realesr-animevideov3 on 1080p input
# 10 fps on a V100.
set -uo pipefail
cd "$(dirname "$0")/.."

OUT=${GPU_CHECK_OUT:-gpu-check-results}
mkdir -p "$OUT"
SUMMARY="$OUT/summary.txt"
: >"$SUMMARY"
started=$(date +%s)
say() { echo "$*" | tee -a "$SUMMARY"; }
left() { echo $((570 - ($(date +%s) - started))); }

say "gpu-check $(date -u +%FT%TZ) on $(uname -srm), node $(node --version)"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee -a "$SUMMARY"

# Vulkan loader for WebGPU (Dawn): bring it along as .deb files where the machine has none.
if ! ldconfig -p | grep -q 'libvulkan.so.1'; then
  if [ -n "${GPU_CHECK_DEBS:-}" ] && ls "$GPU_CHECK_DEBS"/*.deb >/dev/null 2>&1; then
    for f in "$GPU_CHECK_DEBS"/*.deb; do dpkg -x "$f" /; done
    ldconfig
    say "unpacked $(ls "$GPU_CHECK_DEBS"/*.deb | wc -l) packages from $GPU_CHECK_DEBS"
  else
    say "no Vulkan loader (libvulkan.so.1) and no GPU_CHECK_DEBS: WebGPU will fail"
  fi
fi
# The NVIDIA Vulkan driver's manifest, where the container keeps it outside the usual folders.
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$icd" ] && [ -z "${VK_DRIVER_FILES:-}" ]; then export VK_DRIVER_FILES="$icd"; fi
done
say "Vulkan driver manifest: ${VK_DRIVER_FILES:-none found}"

node bin/framesmith.js doctor >"$OUT/doctor.txt" 2>&1
node bin/framesmith.js gpu status >"$OUT/gpu-status.txt" 2>&1
sed -n '/Execution providers/,/^$/p' "$OUT/doctor.txt" | tee -a "$SUMMARY"

# Inference: one process per provider, each with its share of the time.
providers="webgpu cpu"
if grep -q 'the installed GPU copy' "$OUT/gpu-status.txt"; then providers="tensorrt cuda webgpu cpu"; fi
for provider in $providers; do
  budget=$(( $(left) - 200 ))
  [ "$provider" = cpu ] && budget=$(( $(left) - 150 ))
  if [ "$budget" -lt 30 ]; then say "$provider: skipped, out of time"; continue; fi
  [ "$budget" -gt 150 ] && budget=150
  say "== $provider (limit ${budget}s)"
  cases=()
  # The CPU baseline times the smaller cases only: RIFE and candy at full size take minutes there.
  [ "$provider" = cpu ] && cases=("realesr-animevideov3-x4" "realesr-general-x4v3")
  timeout --kill-after=10 "$budget" node --import tsx bench/gpu-check.ts "$provider" "${cases[@]}" >"$OUT/inference-$provider.jsonl" 2>"$OUT/inference-$provider.log"
  status=$?
  [ "$status" = 124 ] && say "$provider: stopped at its time limit (${budget}s)"
  cat "$OUT/inference-$provider.jsonl" | tee -a "$SUMMARY"
done

# The CLI end to end: a 1080p clip (60 frames), upscale x2 then interpolate to 60 fps, with 'auto'.
clip="$OUT/clip-1080p.mp4"
ffmpeg_bin=$(node -e "import('./engine/media/ffmpeg-locator.ts').then((m) => console.log(m.locateTool('ffmpeg').path))" --import tsx 2>/dev/null)
size=$(awk -v s="${GPU_CHECK_SCALE:-1}" 'BEGIN { w = int(1920 * s / 2) * 2; h = int(1080 * s / 2) * 2; print w "x" h }')
"${ffmpeg_bin:-ffmpeg}" -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=$size:rate=30:duration=2 -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$clip"
budget=$(( $(left) - 20 ))
if [ "$budget" -ge 60 ]; then
  say "== CLI end to end (limit ${budget}s): stylize candy, then interpolate to 60 fps, on $clip ($size)"
  begin=$(date +%s%N)
  timeout --kill-after=10 "$budget" node bin/framesmith.js run "$clip" --step stylize:style=candy --step interpolate:fps=60 \
    -o "$OUT/clip-1080p-out.mp4" --overwrite --json >"$OUT/cli.jsonl" 2>"$OUT/cli.log"
  status=$?
  end=$(date +%s%N)
  say "exit $status after $(awk -v a="$begin" -v b="$end" 'BEGIN { printf "%.1f", (b - a) / 1e9 }') s for 60 frames in, 120 out ($size)"
  grep -E '"type":"(done|error|notice)"' "$OUT/cli.jsonl" | tail -5 | tee -a "$SUMMARY"
else
  say "CLI end to end: skipped, out of time"
fi
say "total $(( $(date +%s) - started )) s; results in $OUT/"
