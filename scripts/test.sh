#!/usr/bin/env bash
# Install everything and run the whole test suite: unit, corpus, live ComfyUI, notebooks, browser.
#   bash scripts/test.sh [extra pytest args]
# Builds (once, cached outside the repo) the ComfyUI 0.3.75, 0.8.0 and 0.33.0 environments the live tests
# start: about 6.2 GB each in ~/.cache/comfyframe ($COMFYFRAME_CACHE), removed with `rm -rf ~/.cache/comfyframe`.
# 0.8.0 and 0.33.0 come from ../shared/comfyui: on a plain clone without it their live tests skip with one
# line saying so (and fail when CI=true).
# Installs Debian's chromium for the browser test when it is missing. pip and apt write to logs
# (.venv/pip.log, .venv/apt.log, the cache's build log), shown only when they fail.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/bootstrap.sh test
bash scripts/setup_comfyui.sh >/dev/null
for version in 0.8.0 0.33.0; do
  status=0
  bash scripts/setup_comfyui_source.sh "$version" >/dev/null 2>"$ROOT/.venv/comfyui-$version.err" || status=$?
  if [ "$status" = 3 ] && [ -z "${CI:-}" ]; then
    echo "comfyframe: ComfyUI $version source not found in ../shared/comfyui; its live tests will skip" >&2
  elif [ "$status" != 0 ]; then
    cat "$ROOT/.venv/comfyui-$version.err" >&2
    exit 1
  fi
done
if [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    APT_LOG="$ROOT/.venv/apt.log"
    echo "comfyframe: installing Debian's chromium for the browser test (log: $APT_LOG)" >&2
    if ! (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >"$APT_LOG" 2>&1; then
      tail -n 30 "$APT_LOG" >&2
      echo "comfyframe: installing chromium failed; the full log is $APT_LOG" >&2
      exit 1
    fi
  else
    echo "comfyframe: /usr/bin/chromium missing and cannot apt-get it; the browser test will fail" >&2
  fi
fi
export MPLBACKEND=Agg
exec .venv/bin/python -m pytest --nbval-lax tests notebooks "$@"
