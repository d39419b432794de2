#!/usr/bin/env bash
# Draws icons/icon.png: a white yuan sign (¥) on a rounded green tile, 512×512 RGBA.
# Drawn from strokes rather than a font glyph so it looks the same on every machine.
# Tauri's Linux build needs an RGBA PNG (an RGB one fails the build): PNG32 forces the alpha channel.
set -euo pipefail
cd "$(dirname "$0")"
convert -size 512x512 xc:none \
  -fill '#0e7c66' -draw 'roundrectangle 24,24 488,488 104,104' \
  -fill none -stroke white -strokewidth 46 \
  -draw 'stroke-linecap round line 152,112 256,256' \
  -draw 'stroke-linecap round line 360,112 256,256' \
  -draw 'stroke-linecap round line 256,256 256,408' \
  -draw 'stroke-linecap round line 168,286 344,286' \
  -draw 'stroke-linecap round line 168,356 344,356' \
  -strip PNG32:icon.png
