#!/usr/bin/env bash
# Draws icons/icon.png: a white yuan sign (¥) on a rounded green tile, 512×512 RGBA, and
# icons/icon.ico from it for Windows.
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
# Windows: tauri-build embeds icons/icon.ico in the app's resource file (a Windows build, even a
# `cargo check`, fails without it). The sizes Windows asks for (16 to 48 for lists and the title
# bar, 256 for large views; it scales the rest from these). -strip keeps the file the same bytes
# on every run.
convert icon.png -define icon:auto-resize=256,48,32,24,16 -strip ICO:icon.ico
