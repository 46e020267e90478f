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
# which do not look in .venv/bin, and so that the systemd unit finds it. A
# link to another working installation is kept: the service may run from
# it, and a quick start in a home folder must not move the service there.
link=/usr/local/bin/pantau
ours="$(pwd)/.venv/bin/pantau"
current="$(readlink "$link" 2>/dev/null || true)"
if [[ -w $(dirname "$link") ]] && { [[ ! -e $link && ! -L $link ]] \
        || [[ -L $link && ( ! -e $link || $current == "$ours" ) ]]; }; then
    ln -sfn "$ours" "$link"
    echo "Pantau installed: $ours (linked from $link)"
    echo "Pantau terpasang: $ours (ditautkan dari $link)"
else
    echo "Pantau installed: $ours; $link is left as it is (${current:-not a link})"
    echo "Pantau terpasang: $ours; $link dibiarkan (${current:-bukan tautan})"
fi
