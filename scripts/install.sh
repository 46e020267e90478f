#!/usr/bin/env bash
# Install Pantau into ./.venv on Debian 12 / Ubuntu 24.04 (run as root or
# with sudo, because it installs Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v python3 >/dev/null || need_apt+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
if ((${#need_apt[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

python3 - <<'PY'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"Pantau needs Python 3.11 or newer; this python3 is {sys.version.split()[0]}")
PY

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".${PANTAU_EXTRAS:-}"
# A link on the PATH, so that "pantau ..." works in sudo and root shells,
# which do not look in .venv/bin. An existing file that is not a link is kept.
link=/usr/local/bin/pantau
if [[ -w $(dirname "$link") && ( -L $link || ! -e $link ) ]]; then
    ln -sfn "$(pwd)/.venv/bin/pantau" "$link"
    echo "Pantau installed: $(pwd)/.venv/bin/pantau (linked from $link)"
else
    echo "Pantau installed: $(pwd)/.venv/bin/pantau"
fi
