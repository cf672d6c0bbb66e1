#!/usr/bin/env bash
# Make sure the font the watermarked share downloads are drawn with is present (ffmpeg drawtext,
# WATERMARK_FONT, default Debian's fonts-dejavu-core). Installs it with apt when run as root;
# otherwise explains (ffmpeg then falls back to fontconfig's sans font, if there is one).
set -euo pipefail
FONT="${WATERMARK_FONT:-/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf}"
if [ -f "$FONT" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing fonts-dejavu-core for watermarked downloads..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq fonts-dejavu-core >/dev/null
  exit 0
fi
echo "Watermarked downloads need a font at $FONT: sudo apt-get install -y fonts-dejavu-core" >&2
